// Rankings asked for in the same turn of the event loop share one call per
// shape; each caller gets its own users; a failing statement fails only the
// requests that shared it; a request in a later turn gets a call of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RankCoalescer } from '../../src/serving/rank-coalescer.js';
import type { RankRequest } from '../../src/serving/recommender.js';
import type { RankedProducts } from '../../src/serving/types.js';

/** A stand-in for Recommender.rankNow: records its calls; user "nobody" does not exist; limit 13 fails. */
function fakeRank() {
  const calls: RankRequest[] = [];
  const rank = async (request: RankRequest) => {
    calls.push(request);
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (request.limit === 13) throw new Error('statement failed');
    const out = new Map<string, RankedProducts>();
    for (const id of request.externalIds) if (id !== 'nobody') out.set(id, { userId: id.length, externalId: id, items: [] });
    return out;
  };
  return { calls, coalescer: new RankCoalescer(rank) };
}

const ask = (externalIds: string[], limit = 10, category: string | null = null): RankRequest => ({ externalIds, limit, category, after: null });

test('requests of one shape in the same turn share one call, each getting its own users', async () => {
  const { calls, coalescer } = fakeRank();
  const [a, b, c] = await Promise.all([coalescer.rank(ask(['u1', 'u2'])), coalescer.rank(ask(['u2', 'u3'])), coalescer.rank(ask(['nobody', 'u4']))]);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].externalIds, ['u1', 'u2', 'u3', 'nobody', 'u4']);
  assert.deepEqual([...a.keys()], ['u1', 'u2']);
  assert.deepEqual([...b.keys()], ['u2', 'u3']);
  assert.deepEqual([...c.keys()], ['u4'], 'a user that does not exist is missing, as from rank');
});

test('different shapes get separate calls; a failed call fails only its own requests', async () => {
  const { calls, coalescer } = fakeRank();
  const results = await Promise.allSettled([
    coalescer.rank(ask(['u1'])),
    coalescer.rank(ask(['u2'], 5)),
    coalescer.rank(ask(['u3'], 10, 'Comedy')),
    coalescer.rank(ask(['u4'], 13)),
    coalescer.rank(ask(['u5'], 13)),
    coalescer.rank({ ...ask(['u6']), after: { score: 4, productId: 9 } }),
  ]);
  assert.equal(calls.length, 5);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  assert.match(((results[3] as PromiseRejectedResult).reason as Error).message, /statement failed/);
  assert.deepEqual(calls.find((c) => c.after)?.after, { score: 4, productId: 9 });
  assert.deepEqual(calls.find((c) => c.category)?.externalIds, ['u3']);
});

test('a request in a later turn is not held for earlier ones, nor served from them', async () => {
  const { calls, coalescer } = fakeRank();
  await coalescer.rank(ask(['u1']));
  await new Promise((resolve) => setImmediate(resolve));
  await coalescer.rank(ask(['u1']));
  assert.equal(calls.length, 2, 'no cache: the second request reads again');
});
