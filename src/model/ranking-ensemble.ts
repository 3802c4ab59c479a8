/**
 * Ranking networks trained alike from different seeds (config.ensembleSize), predicting the mean of
 * their clipped predictions. One network's accuracy depends on its seed, through the initialisation,
 * the shuffling, the dropout masks and the epoch early stopping picks: u1.test RMSE 0.9275 to 0.9344
 * over seeds 43 to 45 (`npx tsx bench/model.ts --set seed=43 --set ensembleSize=1`); the mean of
 * the three was 0.9235, better than any of them. An ensemble of one is the network itself.
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

  /** Mean of the members' clipped predictions for (users[k], items[k]). */
  predictArrays(users: Int32Array, items: Int32Array, chunk?: number): Float32Array {
    if (this.members.length === 1) return this.members[0].predictArrays(users, items, chunk);
    const sum = new Float32Array(users.length);
    for (const member of this.members) {
      const p = member.predictArrays(users, items, chunk);
      for (let k = 0; k < p.length; k++) sum[k] += p[k];
    }
    for (let k = 0; k < sum.length; k++) sum[k] /= this.members.length;
    return sum;
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}
