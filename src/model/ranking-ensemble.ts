/**
 * Ranking networks trained alike from different seeds (config.ensembleSize), predicting the mean of
 * their outputs, clipped to the rating range like a single network's. One network's accuracy depends
 * on its seed, through the initialisation, the shuffling, the dropout masks and the epoch early
 * stopping picks; the mean of a few is better than any of them (docs/benchmarks.md). An ensemble of
 * one is the network itself.
 */
import type { RankingModel } from './ranking-model.js';

export class RankingEnsemble {
  readonly members: readonly RankingModel[];

  constructor(members: RankingModel[]) {
    if (members.length === 0) throw new Error('an ensemble needs at least one network');
    const [first] = members;
    for (const m of members) {
      if (m.numUsers !== first.numUsers || m.numItems !== first.numItems) throw new Error('ensemble members differ in vocabulary size');
    }
    this.members = members;
  }

  /** An ensemble of one, or the ensemble itself. */
  static of(model: RankingModel | RankingEnsemble): RankingEnsemble {
    return model instanceof RankingEnsemble ? model : new RankingEnsemble([model]);
  }

  /** The first network's configuration (the members differ only in their seeds). */
  get config() {
    return this.members[0].config;
  }

  get numUsers(): number {
    return this.members[0].numUsers;
  }

  get numItems(): number {
    return this.members[0].numItems;
  }

  /**
   * Mean of the members' outputs for (users[k], items[k]), clipped unless `clip` is false: the same
   * numbers as scoreAllItems, which the prediction matrix is written with.
   */
  predictArrays(users: Int32Array, items: Int32Array, chunk?: number, clip = true): Float32Array {
    if (this.members.length === 1) return this.members[0].predictArrays(users, items, chunk, clip);
    const mean = new Float32Array(users.length);
    for (const member of this.members) {
      const p = member.predictArrays(users, items, chunk, false);
      for (let k = 0; k < p.length; k++) mean[k] += p[k];
    }
    const { minRating, maxRating } = this.config;
    for (let k = 0; k < mean.length; k++) {
      mean[k] /= this.members.length;
      if (clip) mean[k] = Math.min(maxRating, Math.max(minRating, mean[k]));
    }
    return mean;
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
