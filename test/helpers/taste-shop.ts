// Ratings of a shop with four tastes, for the model's tests: user u likes the products i with i % 4 === u % 4.
import type { RatingData } from '../../src/model/data.js';
import { makeRng } from '../../src/model/rng.js';

export interface TasteShopOptions {
  /** A rating from whether the user likes the product. */
  rating?: (liked: boolean, rng: () => number) => number;
  /** The chance that a pick is drawn from the user's taste; 0.25 (the default) picks blindly. */
  chooseLiked?: number;
}

/** `perUser` distinct random products per user, rated by `options.rating`. */
export function tasteShop(users: number, items: number, perUser: number, seed: number, options: TasteShopOptions = {}): RatingData {
  const { rating = (liked: boolean) => (liked ? 5 : 1), chooseLiked = 0.25 } = options;
  const rng = makeRng(seed);
  const userIdx: number[] = [];
  const itemIdx: number[] = [];
  const ratings: number[] = [];
  const pick = (u: number) => {
    const taste = rng() < chooseLiked ? u % 4 : (u + 1 + Math.floor(rng() * 3)) % 4;
    return Math.floor(rng() * Math.floor(items / 4)) * 4 + taste;
  };
  for (let u = 0; u < users; u++) {
    const seen = new Set<number>();
    while (seen.size < perUser) seen.add(chooseLiked === 0.25 ? Math.floor(rng() * items) : pick(u));
    for (const i of seen) {
      userIdx.push(u);
      itemIdx.push(i);
      ratings.push(rating(u % 4 === i % 4, rng));
    }
  }
  return { userIdx: Int32Array.from(userIdx), itemIdx: Int32Array.from(itemIdx), ratings: Float32Array.from(ratings), numUsers: users, numItems: items };
}
