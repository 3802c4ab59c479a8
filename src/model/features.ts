// Feature towers, TFRS-style: each user and product gets tokens from what the shop knows of it (a user's
// age bucket, gender, occupation, postcode prefix; a product's category, genres, price bucket, release
// decade, other short attribute values), each token an embedding; an entity's vector is its id embedding
// plus the mean of its tokens' (src/model/onnx/onnx-stepper.ts), so shoppers and products with little
// history borrow from those alike. With interactionHistory, each also gets what it was trained with as tokens
// (a user's products, a product's users), pooled over √n as SVD++ does.

import type { RatingData } from './data.js';

/** Each entity's token ids (by model index): `tokens[start[e] .. start[e + 1])`. */
export interface FeatureSide {
  numTokens: number;
  start: Int32Array;
  tokens: Int32Array;
  /** Token names, by id (saved with the model). */
  names: string[];
}

export interface EntityFeatures {
  users: FeatureSide;
  items: FeatureSide;
  /** Each user's trained-on products, and each product's users (as SVD++'s implicit feedback), pooled over √n. */
  userHistory?: FeatureSide;
  itemHistory?: FeatureSide;
}

/** Tokens seen fewer times than this are dropped: an embedding needs more than one entity to learn from. */
const MIN_TOKEN_COUNT = 2;
const MAX_VALUE_LENGTH = 40;

const AGE_BUCKETS = [18, 25, 35, 45, 50, 56];

function scalarTokens(key: string, value: unknown, out: string[]): void {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_VALUE_LENGTH) out.push(`${key}=${value.toLowerCase()}`);
  else if (typeof value === 'boolean') out.push(`${key}=${value}`);
}

/** A user's tokens from their attributes. */
export function userTokens(attributes: unknown): string[] {
  const out: string[] = [];
  if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes)) return out;
  for (const [key, value] of Object.entries(attributes as Record<string, unknown>)) {
    if (key === 'age' && typeof value === 'number' && Number.isFinite(value)) out.push(`age<${AGE_BUCKETS.find((b) => value < b) ?? 'max'}`);
    else if ((key === 'zip' || key === 'postcode' || key === 'location') && typeof value === 'string' && value.length > 0)
      out.push(`${key}:${value[0].toLowerCase()}`);
    else scalarTokens(key, value, out);
  }
  return out;
}

/** A product's tokens from its category, price and attributes. */
export function productTokens(product: { category: string | null; price: number | null; attributes: unknown }): string[] {
  const out: string[] = [];
  if (product.category) out.push(`category=${product.category.toLowerCase()}`);
  if (product.price !== null && product.price > 0) out.push(`price~2^${Math.round(Math.log2(product.price))}`);
  const attributes = product.attributes;
  if (attributes && typeof attributes === 'object' && !Array.isArray(attributes)) {
    for (const [key, value] of Object.entries(attributes as Record<string, unknown>)) {
      if (key === 'releaseDate' && typeof value === 'string' && /^\d{4}/.test(value)) out.push(`decade=${value.slice(0, 3)}0`);
      else if (key === 'url') continue;
      else if (Array.isArray(value)) for (const v of value) scalarTokens(key, v, out);
      else scalarTokens(key, value, out);
    }
  }
  return out;
}

/** Token ids for each entity's tokens, keeping the tokens at least MIN_TOKEN_COUNT entities have. */
export function featureSide(lists: string[][]): FeatureSide {
  const counts = new Map<string, number>();
  for (const list of lists) for (const token of new Set(list)) counts.set(token, (counts.get(token) ?? 0) + 1);
  const names = [...counts]
    .filter(([, n]) => n >= MIN_TOKEN_COUNT)
    .map(([token]) => token)
    .sort();
  const id = new Map(names.map((name, k) => [name, k]));
  const start = new Int32Array(lists.length + 1);
  const tokens: number[] = [];
  lists.forEach((list, e) => {
    for (const token of new Set(list)) {
      const t = id.get(token);
      if (t !== undefined) tokens.push(t);
    }
    start[e + 1] = tokens.length;
  });
  return { numTokens: names.length, start, tokens: Int32Array.from(tokens), names };
}

/**
 * Each owner's partners in (owners[k], partners[k]) as tokens: what a user was trained on, or who trained on
 * a product, one token per partner (SVD++'s implicit feedback; a token per partner and star, as GC-MC's
 * messages, ranked no better on MovieLens and made a large shop's tables five times the size). Built from the
 * training split only, so that validation is not seen.
 */
export function historySide(owners: Int32Array, partners: Int32Array, numOwners: number, numPartners: number): FeatureSide {
  const start = new Int32Array(numOwners + 1);
  for (const o of owners) start[o + 1]++;
  for (let e = 0; e < numOwners; e++) start[e + 1] += start[e];
  const fill = start.slice(0, numOwners);
  const tokens = new Int32Array(owners.length);
  owners.forEach((o, k) => (tokens[fill[o]++] = partners[k]));
  return { numTokens: numPartners, start, tokens, names: [] };
}

/** The feature towers with each user's and product's history (config.interactionHistory), from `train` only. */
export function withInteractionHistory(features: EntityFeatures | undefined, train: RatingData): EntityFeatures {
  const none = (n: number): FeatureSide => ({ numTokens: 0, start: new Int32Array(n + 1), tokens: new Int32Array(0), names: [] });
  return {
    users: features?.users ?? none(train.numUsers),
    items: features?.items ?? none(train.numItems),
    userHistory: historySide(train.userIdx, train.itemIdx, train.numUsers, train.numItems),
    itemHistory: historySide(train.itemIdx, train.userIdx, train.numItems, train.numUsers),
  };
}
