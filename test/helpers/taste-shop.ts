// Ratings of a shop with four tastes, for the model's tests: user u likes the products i with i % 4 === u % 4.
import type { RatingData } from '../../src/model/data.js';
import { makeRng } from '../../src/model/rng.js';

/** `perUser` distinct random products per user, rated by `rating(liked, rng)`. */
export function tasteShop(users: number, items: number, perUser: number, seed: number, rating: (liked: boolean, rng: () => number) => number = (liked) => (liked ? 5 : 1)): RatingData {
  const rng = makeRng(seed);
  const userIdx: number[] = [];
  const itemIdx: number[] = [];
  const ratings: number[] = [];
  for (let u = 0; u < users; u++) {
    const seen = new Set<number>();
    while (seen.size < perUser) seen.add(Math.floor(rng() * items));
    for (const i of seen) {
      userIdx.push(u);
      itemIdx.push(i);
      ratings.push(rating(u % 4 === i % 4, rng));
    }
  }
  return { userIdx: Int32Array.from(userIdx), itemIdx: Int32Array.from(itemIdx), ratings: Float32Array.from(ratings), numUsers: users, numItems: items };
}
