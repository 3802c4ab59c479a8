// How well a run ranks the whole catalog for its held-out users, beside popularity and the baseline:
// what a shopper would be shown, not only the order of the products they happened to rate.
import type { RatingData } from '../model/data.js';
import type { RankingEnsemble } from '../model/ranking-ensemble.js';
import type { BaselineModel } from '../model/baseline.js';
import type { EngineName } from '../model/stepper.js';
import { scoreAllItems } from '../model/score.js';
import { CatalogRankingTally, topK, type CatalogRanking } from '../model/metrics.js';
import { makeRng, permutation } from '../model/rng.js';
import { itemsOf, type UserItems } from './implicit-feedback.js';

export interface CatalogMetrics {
  /** How the held-out interactions were chosen: each user's latest ('time') or at random ('random'). */
  split: 'time' | 'random';
  k: number;
  /** Users evaluated: those with a relevant held-out product (at most `maxUsers`, sampled). */
  users: number;
  products: number;
  network: CatalogRanking;
  /** Products by how many users interacted with them in training. */
  popularity: CatalogRanking;
  /** Products by the baseline's bias (global mean + user and product biases). */
  baseline: CatalogRanking;
}

export interface CatalogEvaluationInput {
  model: RankingEnsemble;
  baseline: BaselineModel;
  engine: EngineName;
  threads: number;
  split: 'time' | 'random';
  /** Each user's training interactions: left out of their lists. */
  trainItems: UserItems;
  heldOut: RatingData;
  k: number;
  /** A held-out (implicit) rating at or above this is relevant. */
  threshold: number;
  maxUsers: number;
  seed: number;
}

export async function evaluateCatalog(input: CatalogEvaluationInput): Promise<CatalogMetrics> {
  const { model, baseline, trainItems, heldOut, k, threshold } = input;
  const numItems = heldOut.numItems;
  const relevant = new Map<number, Set<number>>();
  for (let r = 0; r < heldOut.ratings.length; r++) {
    if (heldOut.ratings[r] < threshold) continue;
    const u = heldOut.userIdx[r];
    let set = relevant.get(u);
    if (!set) relevant.set(u, (set = new Set()));
    set.add(heldOut.itemIdx[r]);
  }
  let users = [...relevant.keys()].sort((a, b) => a - b);
  if (users.length > input.maxUsers) {
    const order = permutation(users.length, makeRng(input.seed ^ 0xca7));
    users = Array.from(order.subarray(0, input.maxUsers), (j) => users[j]).sort((a, b) => a - b);
  }

  const popularity = new Float32Array(numItems);
  for (let j = 0; j < trainItems.items.length; j++) popularity[trainItems.items[j]]++;
  const tallies = { network: new CatalogRankingTally(k, numItems), popularity: new CatalogRankingTally(k, numItems), baseline: new CatalogRankingTally(k, numItems) };
  const excluded = new Uint8Array(numItems);
  const mark = (u: number, value: 0 | 1) => {
    for (const item of itemsOf(trainItems, u)) excluded[item] = value;
  };
  for (const u of users) {
    mark(u, 1);
    tallies.popularity.add(topK(popularity, k, excluded), relevant.get(u)!);
    tallies.baseline.add(topK(baseline.itemBias, k, excluded), relevant.get(u)!);
    mark(u, 0);
  }
  await scoreAllItems(
    model,
    users,
    (block) => {
      for (let r = 0; r < block.users.length; r++) {
        const u = block.users[r];
        mark(u, 1);
        tallies.network.add(topK(block.scores.subarray(r * block.numItems, (r + 1) * block.numItems), k, excluded), relevant.get(u)!);
        mark(u, 0);
      }
    },
    { clip: false, engine: input.engine, threads: input.threads },
  );
  return {
    split: input.split,
    k,
    users: users.length,
    products: numItems,
    network: tallies.network.result(),
    popularity: tallies.popularity.result(),
    baseline: tallies.baseline.result(),
  };
}
