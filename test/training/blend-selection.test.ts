// The run's blend search on made-up validation users: it follows the score that finds their held-out products,
// weighs the low-pass filter in where it adds products the autoencoder misses and out where it is noise, and
// does not lean on the rating where the rating only adds noise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlendSearch, pairedStandardError } from '../../src/training/blend-selection.js';
import { makeRng } from '../../src/model/rng.js';

const ITEMS = 300;
const USERS = 400;

/** Users with 6 relevant products each; `signal` says how much each score row knows of product i being relevant. */
function search(components: number, signal: (row: 'rating' | 'pick' | 'lowPass', relevantIndex: number) => number, users = USERS, seed = 3): BlendSearch {
  const rng = makeRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const s = new BlendSearch(ITEMS, components, 10);
  for (let u = 0; u < users; u++) {
    const relevant = new Map<number, number>();
    while (relevant.size < 6) relevant.set(Math.floor(rng() * ITEMS), relevant.size);
    const row = (name: 'rating' | 'pick' | 'lowPass') =>
      Float32Array.from({ length: ITEMS }, (_, i) => gaussian() + (relevant.has(i) ? signal(name, relevant.get(i)!) : 0));
    const ratings = row('rating');
    const picks = [row('pick'), row('lowPass')].slice(0, components);
    s.add({ user: u, ratings, picks }, { excluded: [], seen: [], relevant: new Set(relevant.keys()) });
  }
  return s;
}

describe('the blend search', () => {
  it('ranks by the pick score alone when the rating is noise', () => {
    const found = search(1, (row) => (row === 'pick' ? 3 : 0)).search();
    assert.equal(found.degrees, 0);
    assert.equal(found.lowPassWeight, 0);
    assert.ok(found.lists.served.ndcg > 0.5 && found.lists.network.ndcg < 0.1, JSON.stringify(found.lists));
  });

  it('leans on the rating when the rating finds the held-out products', () => {
    const found = search(1, (row) => (row === 'rating' ? 3 : row === 'pick' ? 0.5 : 0)).search();
    assert.ok(found.degrees >= 60, `${found.degrees}°`);
  });

  it('on a small shop, where a standard error spans far worse lists, serves one within 2 % of the best', () => {
    const found = search(1, (row) => (row === 'rating' ? 1 : row === 'pick' ? 0.5 : 0), 20).search();
    const best = Math.max(...found.mixes.map((m) => m.ndcg));
    assert.ok(found.lists.served.ndcg >= 0.98 * best, JSON.stringify({ degrees: found.degrees, served: found.lists.served.ndcg, best }));
  });

  it('weighs the low-pass filter in where it finds what the autoencoder misses, and out where it is noise', () => {
    // Half of each user's products are known to the autoencoder, the other half to the filter.
    const complementary = search(2, (row, k) => (row === 'pick' ? (k < 3 ? 3 : 0) : row === 'lowPass' ? (k < 3 ? 0 : 3) : 0)).search();
    assert.ok(complementary.lowPassWeight > 0, JSON.stringify(complementary.mixes));
    const alone = complementary.mixes.find((m) => m.weight === 0)!;
    const mixed = complementary.mixes.find((m) => m.weight > 0)!;
    assert.ok(mixed.ndcg > alone.ndcg, JSON.stringify(complementary.mixes));

    const noise = search(2, (row) => (row === 'pick' ? 3 : 0)).search();
    assert.equal(noise.lowPassWeight, 0, JSON.stringify(noise.mixes));
  });

  it('measures the paired standard error of two lists of per-user figures', () => {
    assert.equal(pairedStandardError([1, 1, 1], [0, 0, 0]), 0);
    // Differences 1, 0, -1: variance 2/3, over n - 1 = 2, square root.
    assert.ok(Math.abs(pairedStandardError([1, 0, 0], [0, 0, 1]) - Math.sqrt(2 / 3 / 2)) < 1e-12);
    assert.equal(pairedStandardError([0.3], [0.1]), 0);
  });
});
