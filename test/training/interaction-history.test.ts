// The default network pools each user's and product's history and adds their dot product (SVD++'s form),
// at every size unless historyMaxInteractions sets a limit; past one a run trains without them, and records so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, retrainAndWait, type TestApi } from '../helpers/api.js';
import { importDataset } from '../../src/ingest/load.js';
import { makeRng } from '../../src/model/rng.js';
import { atTrainingSize, resolveConfig } from '../../src/model/config.js';
import type { ProductRow, RatingRow, UserRow } from '../../src/ingest/types.js';

let api: TestApi;

before(async () => {
  api = await startTestApi();
  const rng = makeRng(8);
  const users: UserRow[] = Array.from({ length: 100 }, (_, u) => ({ externalId: `u${u}` }));
  const products: ProductRow[] = Array.from({ length: 50 }, (_, i) => ({ externalId: `p${i}`, name: `P${i}` }));
  const ratings: RatingRow[] = [];
  for (let u = 0; u < users.length; u++) {
    const seen = new Set<number>();
    while (seen.size < 12) seen.add(Math.floor(rng() * products.length));
    for (const i of seen) ratings.push({ userId: `u${u}`, productId: `p${i}`, value: i % 3 === u % 3 ? 5 : 1 + Math.round(rng() * 2) });
  }
  await importDataset(api.db.store, {
    users: { name: 'users', rows: users },
    products: { name: 'products', rows: products },
    ratings: { name: 'ratings', rows: ratings },
  });
});
after(async () => api?.close());

const FIELDS = 'id status error config';

test('a run trains with the history and the dot product by default, and without them past historyMaxInteractions', async () => {
  const small = await retrainAndWait(api, { epochs: 4, ensembleSize: 1, seed: 3 }, FIELDS);
  assert.equal(small.status, 'SUCCEEDED', JSON.stringify(small));
  assert.equal(small.config.model.interactionHistory, true);
  assert.equal(small.config.model.dotProduct, true);

  const large = await retrainAndWait(api, { epochs: 4, ensembleSize: 1, seed: 3, historyMaxInteractions: 500 }, FIELDS);
  assert.equal(large.status, 'SUCCEEDED', JSON.stringify(large));
  assert.equal(large.config.model.interactionHistory, false, 'the run records what it trained with');
  assert.equal(large.config.model.dotProduct, false);
  assert.equal(large.config.model.historyMaxInteractions, 500);
});

test('historyMaxInteractions must be a whole number, 0 for no limit', async () => {
  const res = await api.gql('mutation { retrain(config: { historyMaxInteractions: -1 }, force: true) { id } }', {});
  assert.equal(res.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(res));
  assert.match(res.errors[0].message, /config\.historyMaxInteractions must be an integer >= 0/);
  assert.equal(atTrainingSize(resolveConfig(), 50_000_000).interactionHistory, true, 'no limit by default');
  const limited = resolveConfig({ historyMaxInteractions: 500_000 });
  assert.equal(atTrainingSize(limited, 500_001).interactionHistory, false);
  assert.equal(atTrainingSize(limited, 500_000).dotProduct, true);
});

test('the step size follows the shop: learningRate up to 100,000 training rows, largeShopLearningRate from 1,000,000, log-linear between', async () => {
  const c = resolveConfig({ learningRate: 4e-3, largeShopLearningRate: 1e-3 });
  const at = (rows: number) => atTrainingSize(c, rows).learningRate;
  assert.equal(at(50_000), 4e-3);
  assert.equal(at(100_000), 4e-3);
  assert.ok(Math.abs(at(Math.sqrt(1e5 * 1e6)) - 2e-3) < 1e-12, 'the geometric middle of the sizes gets the geometric middle of the rates');
  assert.ok(Math.abs(at(1_000_000) - 1e-3) < 1e-12);
  assert.ok(Math.abs(at(10_000_000) - 1e-3) < 1e-12);
  // A run records the rate it trained with, and the API refuses a step size of 0.
  const res = await api.gql('mutation { retrain(config: { largeShopLearningRate: 0 }, force: true) { id } }', {});
  assert.equal(res.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(res));
  assert.match(res.errors[0].message, /largeShopLearningRate must be > 0/);
});
