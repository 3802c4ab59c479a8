// What a run learns from when the shop records events as well as ratings: every (user, product) pair
// with events and no rating becomes an implicit rating (TrainingConfig.eventWeights), a few products the
// user never touched become sampled negatives (negativesPerEvent), and the validation split holds out
// each user's latest interactions (a time split), as a shop's future is what the model must predict.
import type { RatingData } from '../model/data.js';
import { subset } from '../model/data.js';
import type { EventWeights, TrainingConfig } from '../model/config.js';
import { makeRng, permutation, type Rng } from '../model/rng.js';
import { EVENT_TYPES } from '../events/event-log.js';

/** Each interaction the model learns from, aligned with a RatingData's rows. */
export interface Interactions {
  data: RatingData;
  /** Seconds since 1970: of the rating's last change, or of the pair's last event. */
  time: Float64Array;
  /** 1 where the row comes from events (an implicit rating), 0 for a rating. */
  fromEvents: Uint8Array;
  /** 1 where the API never shows the product to the user again: a rating, or a purchase of a product not bought again. */
  excludes: Uint8Array;
}

/**
 * One binary COPY of every interaction: ratings (in key order, as before events existed), then each pair
 * with events but no rating, its value the weight of its strongest event (pairs of weight 0 left out).
 * Columns: user id, product id, rating or weight, time (epoch seconds), 1 for events, 1 when the API
 * leaves the product out of the user's lists (rated, or bought and not bought again).
 */
export function interactionsCopySql(weights: EventWeights): string {
  // Literals, not parameters (COPY takes none); the weights are validated numbers (resolveConfig).
  const weight = `CASE e.type ${EVENT_TYPES.map((type) => `WHEN '${type}' THEN ${Number(weights[type])}`).join(' ')} END`;
  return `COPY (
  (SELECT user_id, product_id, value, extract(epoch FROM updated_at)::float8, 0, 1 FROM ratings ORDER BY user_id, product_id)
  UNION ALL
  (SELECT e.user_id, e.product_id, max(${weight})::real, extract(epoch FROM max(e.occurred_at))::float8, 1,
          bool_or(e.type = 'purchase' AND NOT p.repurchasable)::int
   FROM events e JOIN products p ON p.id = e.product_id
   WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = e.user_id AND r.product_id = e.product_id)
   GROUP BY e.user_id, e.product_id
   HAVING max(${weight}) > 0
   ORDER BY e.user_id, e.product_id)
) TO STDOUT (FORMAT binary)`;
}

/** Each user's products (model indices, ascending), as one array: `items[start[u] .. start[u + 1])`. */
export interface UserItems {
  start: Int32Array;
  items: Int32Array;
}

/** The products of `rows` of `data`, grouped by user. */
export function userItems(data: RatingData, rows?: ArrayLike<number>): UserItems {
  const n = rows ? rows.length : data.ratings.length;
  const row = (k: number) => (rows ? rows[k] : k);
  const start = new Int32Array(data.numUsers + 1);
  for (let k = 0; k < n; k++) start[data.userIdx[row(k)] + 1]++;
  for (let u = 0; u < data.numUsers; u++) start[u + 1] += start[u];
  const items = new Int32Array(n);
  const fill = start.slice(0, data.numUsers);
  for (let k = 0; k < n; k++) items[fill[data.userIdx[row(k)]]++] = data.itemIdx[row(k)];
  for (let u = 0; u < data.numUsers; u++) items.subarray(start[u], start[u + 1]).sort();
  return { start, items };
}

export function itemsOf(lists: UserItems, u: number): Int32Array {
  return lists.items.subarray(lists.start[u], lists.start[u + 1]);
}

function contains(sorted: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Row numbers of each user's latest `fraction` of interactions (at least one of a user with two or
 * more; ties in time broken by row), and of the rest.
 */
export function timeSplit(ix: Interactions, fraction: number): { train: Int32Array; heldOut: Int32Array } {
  const { data, time } = ix;
  const byUser = userRows(data);
  const train: number[] = [];
  const heldOut: number[] = [];
  for (let u = 0; u < data.numUsers; u++) {
    const rows = Array.from(byUser.items.subarray(byUser.start[u], byUser.start[u + 1]));
    rows.sort((a, b) => time[a] - time[b] || a - b);
    const held = rows.length >= 2 ? Math.min(rows.length - 1, Math.max(1, Math.ceil(rows.length * fraction))) : 0;
    for (let k = 0; k < rows.length; k++) (k < rows.length - held ? train : heldOut).push(rows[k]);
  }
  return { train: Int32Array.from(train), heldOut: Int32Array.from(heldOut) };
}

/** Row numbers grouped by user (not sorted within a user). */
function userRows(data: RatingData): UserItems {
  const n = data.ratings.length;
  const start = new Int32Array(data.numUsers + 1);
  for (let k = 0; k < n; k++) start[data.userIdx[k] + 1]++;
  for (let u = 0; u < data.numUsers; u++) start[u + 1] += start[u];
  const items = new Int32Array(n);
  const fill = start.slice(0, data.numUsers);
  for (let k = 0; k < n; k++) items[fill[data.userIdx[k]]++] = k;
  return { start, items };
}

/**
 * `data` plus, for each of its rows from events, `perEvent` products its user has none of in `known`
 * (uniformly sampled), at `target`. Sampled once per run: the result is a plain RatingData that every
 * training engine and thread takes as it is.
 */
export function withNegatives(data: RatingData, fromEvents: Uint8Array, known: UserItems, perEvent: number, target: number, rng: Rng): RatingData {
  let wanted = 0;
  for (let k = 0; k < fromEvents.length; k++) wanted += fromEvents[k] * perEvent;
  if (wanted === 0) return data;
  const n = data.ratings.length;
  const out: RatingData = {
    userIdx: new Int32Array(n + wanted),
    itemIdx: new Int32Array(n + wanted),
    ratings: new Float32Array(n + wanted),
    numUsers: data.numUsers,
    numItems: data.numItems,
  };
  out.userIdx.set(data.userIdx);
  out.itemIdx.set(data.itemIdx);
  out.ratings.set(data.ratings);
  let at = n;
  for (let k = 0; k < n; k++) {
    if (!fromEvents[k]) continue;
    const u = data.userIdx[k];
    const mine = itemsOf(known, u);
    if (mine.length >= data.numItems) continue;
    for (let s = 0; s < perEvent; s++) {
      let item = Math.floor(rng() * data.numItems);
      for (let tries = 0; tries < 20 && contains(mine, item); tries++) item = Math.floor(rng() * data.numItems);
      if (contains(mine, item)) continue;
      out.userIdx[at] = u;
      out.itemIdx[at] = item;
      out.ratings[at] = target;
      at++;
    }
  }
  return at === out.ratings.length
    ? out
    : subset(
        out,
        Int32Array.from({ length: at }, (_, k) => k),
      );
}

/** What a run trains and validates on, and what its full-catalog evaluation needs. */
export interface PreparedData {
  /** 'time' when the shop has events (each user's latest held out), else 'random' (as before events). */
  split: 'time' | 'random';
  train: RatingData;
  validation: RatingData;
  /** The training interactions (not the sampled negatives), with their times and flags. */
  trainInteractions: Interactions;
  /** Each user's training interactions (not the sampled negatives). */
  trainItems: UserItems;
  /** Of those, what the API leaves out of their lists (rated, bought); the rest may be shown again (seen). */
  trainExcluded: UserItems;
  /** The held-out interactions (no negatives), with their ratings or implicit ratings. */
  heldOut: RatingData;
  /** Sampled negatives added to train and to validation. */
  negatives: { train: number; validation: number };
}

/** Rows `rows` of the interactions, with their times and flags. */
export function interactionRows(ix: Interactions, rows: Int32Array): Interactions {
  return {
    data: subset(ix.data, rows),
    time: Float64Array.from(rows, (r) => ix.time[r]),
    fromEvents: Uint8Array.from(rows, (r) => ix.fromEvents[r]),
    excludes: Uint8Array.from(rows, (r) => ix.excludes[r]),
  };
}

/**
 * Rows held out of `ix` as a run's validation holds out its own: each user's latest `fraction` where the
 * shop has events, else a seeded random `fraction` of them.
 */
export function holdOut(ix: Interactions, fraction: number, seed: number): { split: 'time' | 'random'; train: Int32Array; heldOut: Int32Array } {
  if (ix.fromEvents.some((v) => v === 1)) return { split: 'time', ...timeSplit(ix, fraction) };
  const n = ix.data.ratings.length;
  const order = permutation(n, makeRng(seed ^ 0x5eed));
  const held = Math.round(n * fraction);
  return { split: 'random', train: order.slice(held).sort(), heldOut: order.slice(0, held).sort() };
}

/** Splits the interactions and adds the negatives (see the top of this file). */
export function prepareTrainingData(ix: Interactions, c: TrainingConfig): PreparedData {
  const fraction = c.validationFraction > 0 ? c.validationFraction : 0.1;
  const rows = holdOut(ix, fraction, c.seed);
  const trainInteractions = interactionRows(ix, rows.train);
  const train = trainInteractions.data;
  const heldOut = subset(ix.data, rows.heldOut);
  const trainItems = userItems(train);
  const trainExcluded = userItems(
    train,
    Int32Array.from({ length: train.ratings.length }, (_, k) => k).filter((k) => trainInteractions.excludes[k] === 1),
  );
  if (rows.split === 'random') {
    return { split: 'random', train, validation: heldOut, trainInteractions, trainItems, trainExcluded, heldOut, negatives: { train: 0, validation: 0 } };
  }
  const allItems = userItems(ix.data);
  const rng = makeRng(c.seed ^ 0xbad);
  const pick = (r: Int32Array) => Uint8Array.from(r, (row) => ix.fromEvents[row]);
  const trainWith = withNegatives(train, pick(rows.train), trainItems, c.negativesPerEvent, c.minRating, rng);
  const validationWith = withNegatives(heldOut, pick(rows.heldOut), allItems, c.negativesPerEvent, c.minRating, rng);
  return {
    split: 'time',
    train: trainWith,
    validation: validationWith,
    trainInteractions,
    trainItems,
    trainExcluded,
    heldOut,
    negatives: { train: trainWith.ratings.length - train.ratings.length, validation: validationWith.ratings.length - heldOut.ratings.length },
  };
}

/** An implicit rating: minRating + weight × (maxRating − minRating). */
export function impliedRating(weight: number, c: { minRating: number; maxRating: number }): number {
  return c.minRating + weight * (c.maxRating - c.minRating);
}
