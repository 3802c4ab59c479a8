// How well a run ranks the whole catalog for its held-out users: what a shopper would be shown, not only
// the order of the products they happened to rate. The network's lists (by predicted rating), the
// selection model's (by pick score) and the blend the run serves (chosen here, blend-selection.ts), beside
// popularity and the baseline, all on the same users.
import type { RatingData } from '../model/data.js';
import type { RankingEnsemble } from '../model/ranking-ensemble.js';
import type { BaselineModel } from '../model/baseline.js';
import type { EngineName } from '../model/stepper.js';
import type { RankBlend } from '../model/rank-blend.js';
import type { SelectionModel } from '../model/selection/linear-autoencoder.js';
import type { InteractionMatrix } from '../model/selection/interaction-matrix.js';
import type { DenseOps } from '../model/selection/dense-ops.js';
import { scoreAllItems } from '../model/score.js';
import { CatalogRankingTally, topK, type CatalogRanking } from '../model/metrics.js';
import { makeRng, permutation } from '../model/rng.js';
import { itemsOf, type UserItems } from './implicit-feedback.js';
import { BlendSearch } from './blend-selection.js';
import { pickRows, type SelectionChoice } from './selection.js';

export interface ListBlend {
  /** 0°: the pick score alone; 90°: the predicted rating alone. */
  degrees: number;
  /** Whether a product the shopper viewed, carted or wishlisted may be shown to them again. */
  showsSeen: boolean;
  selection: Omit<SelectionChoice, 'tried'> & { tried: SelectionChoice['tried'] };
  /** The low-pass filter added to the pick score: its rank, its weight per unit of the autoencoder's score, and each weight tried (in its standard deviations); null without one. */
  lowPass: { rank: number; weight: number; tried: { weight: number; ndcg: number }[] } | null;
}

export interface CatalogMetrics {
  /** How the held-out interactions were chosen: each user's latest ('time') or at random ('random'). */
  split: 'time' | 'random';
  k: number;
  /** Users evaluated: those with a relevant held-out product (at most `maxUsers`, sampled). */
  users: number;
  products: number;
  /** The lists as the run serves them (its blend). */
  served: CatalogRanking;
  /** By predicted rating alone. */
  network: CatalogRanking;
  /** By the selection model's pick score alone (null without one). */
  selection: CatalogRanking | null;
  /** Products by how many users interacted with them in training (less what the user interacted with). */
  popularity: CatalogRanking;
  /** Products by the baseline's bias (global mean + user and product biases). */
  baseline: CatalogRanking;
  blend: ListBlend | null;
}

export interface CatalogEvaluationInput {
  model: RankingEnsemble;
  baseline: BaselineModel;
  engine: EngineName;
  threads: number;
  split: 'time' | 'random';
  /** Each user's training interactions, and of those what the API leaves out of their lists. */
  trainItems: UserItems;
  trainExcluded: UserItems;
  heldOut: RatingData;
  /** The selection model fitted on the training split (and its low-pass filter, null without), its input, and how it was chosen; null without one. */
  selection: { model: SelectionModel; lowPass: SelectionModel | null; x: InteractionMatrix; choice: SelectionChoice; ops: DenseOps } | null;
  k: number;
  /** A held-out (implicit) rating at or above this is relevant. */
  threshold: number;
  maxUsers: number;
  seed: number;
}

/** Users scored together (rows of every product, for the network and the selection model). */
const USERS_PER_CHUNK = 256;

export async function evaluateCatalog(input: CatalogEvaluationInput): Promise<{ metrics: CatalogMetrics; blend: RankBlend | null; lowPassWeight: number }> {
  const { model, baseline, trainItems, trainExcluded, heldOut, k, threshold, selection } = input;
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
  const tallies = { popularity: new CatalogRankingTally(k, numItems), baseline: new CatalogRankingTally(k, numItems) };
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

  const components = selection ? [selection.model, ...(selection.lowPass ? [selection.lowPass] : [])] : [];
  const search = new BlendSearch(numItems, components.length, k);
  const inAll = new Uint8Array(numItems);
  for (let s = 0; s < users.length; s += USERS_PER_CHUNK) {
    const chunk = users.slice(s, s + USERS_PER_CHUNK);
    const ratings = new Map<number, Float32Array>();
    await scoreAllItems(
      model,
      chunk,
      (block) => block.users.forEach((u, r) => ratings.set(u, block.scores.slice(r * block.numItems, (r + 1) * block.numItems))),
      {
        clip: false,
        engine: input.engine,
        threads: input.threads,
      },
    );
    const picks = new Map<number, Float32Array[]>(chunk.map((u) => [u, []]));
    if (selection)
      for (const component of components)
        await pickRows(component, selection.x, chunk, selection.ops, (first, rows) => {
          for (let r = 0; r * numItems < rows.length; r++) picks.get(chunk[first + r])!.push(rows.slice(r * numItems, (r + 1) * numItems));
        });
    for (const u of chunk) {
      const own = itemsOf(trainExcluded, u);
      for (const i of own) inAll[i] = 1;
      const seen = Array.from(itemsOf(trainItems, u)).filter((i) => !inAll[i]);
      for (const i of own) inAll[i] = 0;
      search.add({ user: u, ratings: ratings.get(u)!, picks: picks.get(u)! }, { excluded: own, seen, relevant: relevant.get(u)! });
    }
  }
  const found = selection ? search.search() : null;
  const lists = found?.lists ?? search.ratingOnly();
  return {
    metrics: {
      split: input.split,
      k,
      users: users.length,
      products: numItems,
      served: lists.served,
      network: lists.network,
      selection: found ? found.lists.selection : null,
      popularity: tallies.popularity.result(),
      baseline: tallies.baseline.result(),
      blend:
        found && selection
          ? {
              degrees: found.degrees,
              showsSeen: found.blend.seen !== null,
              selection: selection.choice,
              lowPass: selection.lowPass ? { rank: selection.lowPass.rank, weight: found.lowPassWeight, tried: found.mixes } : null,
            }
          : null,
    },
    blend: found?.blend ?? null,
    lowPassWeight: found?.lowPassWeight ?? 0,
  };
}
