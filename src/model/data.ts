/** Ratings as parallel typed arrays over dense 0-based user and product indices. */
import { makeRng, permutation } from './rng.js';
import type { EntityFeatures } from './features.js';

export interface RatingData {
  userIdx: Int32Array;
  itemIdx: Int32Array;
  ratings: Float32Array;
  numUsers: number;
  numItems: number;
  /** The users' and products' feature tokens, when the model learns from them (src/model/features.ts). */
  features?: EntityFeatures;
}

export function ratingCount(d: RatingData): number {
  return d.ratings.length;
}

export function assertRatingData(d: RatingData, name = 'data'): void {
  const n = d.ratings.length;
  if (d.userIdx.length !== n || d.itemIdx.length !== n) throw new Error(`${name}: userIdx, itemIdx and ratings differ in length`);
  for (let k = 0; k < n; k++) {
    const u = d.userIdx[k];
    const i = d.itemIdx[k];
    if (u < 0 || u >= d.numUsers || i < 0 || i >= d.numItems) {
      throw new Error(`${name}: index out of range at ${k} (user ${u}/${d.numUsers}, item ${i}/${d.numItems})`);
    }
  }
}

/** Rows `rows` of `d` (same numUsers/numItems). */
export function subset(d: RatingData, rows: Int32Array): RatingData {
  const userIdx = new Int32Array(rows.length);
  const itemIdx = new Int32Array(rows.length);
  const ratings = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    userIdx[k] = d.userIdx[r];
    itemIdx[k] = d.itemIdx[r];
    ratings[k] = d.ratings[r];
  }
  return { userIdx, itemIdx, ratings, numUsers: d.numUsers, numItems: d.numItems };
}

/** Seeded random split into (train, validation); fraction 0 gives an empty validation set. */
export function splitValidation(d: RatingData, fraction: number, seed: number): { train: RatingData; validation: RatingData } {
  const n = d.ratings.length;
  const perm = permutation(n, makeRng(seed ^ 0x5eed));
  const nVal = Math.round(n * fraction);
  return { train: subset(d, perm.subarray(nVal)), validation: subset(d, perm.subarray(0, nVal)) };
}

export function meanRating(d: RatingData): number {
  let s = 0;
  for (let k = 0; k < d.ratings.length; k++) s += d.ratings[k];
  return d.ratings.length ? s / d.ratings.length : 0;
}
