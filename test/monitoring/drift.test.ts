// Drift watch: the population stability index, and, against a real run, what arrives afterwards shown as
// drift in GraphQL and /metrics, recorded with the next run, and gone once that run is served.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareProfiles, psi, DEFAULT_DRIFT_LIMITS, type DataProfile } from '../../src/monitoring/drift.js';
import { startTestApi, retrainAndWait, type TestApi } from '../helpers/api.js';
import { importDataset } from '../../src/ingest/load.js';
import { seedShop } from '../../src/ingest/synthetic.js';

describe('drift measures', () => {
  it('a distribution against itself has no drift; one that moved to the low stars has a large PSI', () => {
    const stars = { 1: 50, 2: 100, 3: 300, 4: 350, 5: 200 };
    assert.equal(psi(stars, { 1: 5, 2: 10, 3: 30, 4: 35, 5: 20 }), 0);
    assert.ok(psi(stars, { 1: 60, 2: 20, 3: 10, 4: 5, 5: 5 }) > 1);
  });

  it('leaves the distribution measures out while too few ratings arrived', () => {
    const trainedOn: DataProfile = {
      at: new Date(Date.now() - 3_600_000).toISOString(),
      ratings: 1000,
      meanRating: 3.5,
      stars: { 3: 500, 4: 500 },
      categories: { a: 1000 },
      events: 0,
      users: 10,
      products: 10,
    };
    const arrived: DataProfile = { ...trainedOn, ratings: 5, meanRating: 1, stars: { 1: 5 }, categories: { a: 5 }, newUsers: 0, newProducts: 0 };
    const report = compareProfiles(1, trainedOn, arrived, DEFAULT_DRIFT_LIMITS);
    const byName = Object.fromEntries(report.measures.map((m) => [m.name, m]));
    assert.equal(byName.meanShift.value, null);
    assert.equal(byName.ratingPsi.value, null);
    assert.ok(Math.abs(byName.modelAgeHours.value! - 1) < 0.01);
    assert.equal(report.exceeded, false);
  });
});

let api: TestApi;
before(async () => {
  api = await startTestApi({ DRIFT_CHECK_MINUTES: '0', DRIFT_MIN_ARRIVALS: '50', METRICS_PUBLIC: 'true' });
  await seedShop(api.db.store, { users: 50, products: 30, ratings: 800, seed: 4 });
});
after(async () => api?.close());

const DRIFT = `query { drift { runId exceeded measures { name value limit exceeded } trainedOn { ratings meanRating } arrived { ratings meanRating newUsers } } }`;
const measure = (drift: any, name: string) => drift.measures.find((m: any) => m.name === name);

test('ratings that arrive after the run show as drift, are recorded with the next run, and are gone once it serves', async () => {
  assert.equal((await api.gql(DRIFT)).data.drift, null, 'no active model: no drift');
  const first = await retrainAndWait(api, { epochs: 2, ensembleSize: 1 }, 'id status');
  assert.equal(first.status, 'SUCCEEDED');
  const calm = (await api.gql(DRIFT)).data.drift;
  assert.equal(calm.runId, first.id);
  assert.equal(calm.exceeded, false, JSON.stringify(calm));
  assert.equal(calm.trainedOn.ratings, 800);
  assert.equal(measure(calm, 'NEW_RATINGS_SHARE').value, 0);

  // 300 one-star ratings from 30 new shoppers, 10 products each.
  const ratings = Array.from({ length: 300 }, (_, k) => ({
    userId: `newcomer-${Math.floor(k / 10)}`,
    productId: `product-${String((k % 10) + 1).padStart(2, '0')}`,
    value: 1,
  }));
  await importDataset(api.db.store, { ratings: { name: 'drift', rows: ratings }, createMissingUsers: true, createMissingProducts: false });
  await new Promise((resolve) => setTimeout(resolve, 2_100)); // past the report's cache
  const drifted = (await api.gql(DRIFT)).data.drift;
  assert.equal(drifted.exceeded, true);
  assert.equal(drifted.arrived.ratings, 300);
  assert.equal(drifted.arrived.newUsers, 30);
  for (const name of ['MEAN_SHIFT', 'RATING_PSI', 'NEW_RATINGS_SHARE', 'NEW_USERS_SHARE'])
    assert.equal(measure(drifted, name).exceeded, true, JSON.stringify(measure(drifted, name)));
  assert.equal(measure(drifted, 'MODEL_AGE_HOURS').exceeded, false);

  const metrics = await (await fetch(api.url.replace(/\/graphql$/, '/metrics'))).text();
  assert.match(metrics, /recsys_drift_exceeded\{measure="meanShift"\} 1/);
  assert.match(metrics, /recsys_drift_limit\{measure="ratingPsi"\} 0\.2/);

  const second = await retrainAndWait(api, { epochs: 2, ensembleSize: 1 }, 'id status dataCounts');
  assert.equal(second.status, 'SUCCEEDED');
  assert.equal(second.dataCounts.drift.runId, Number(first.id));
  assert.equal(second.dataCounts.drift.exceeded, true);
  const after = (await api.gql(DRIFT)).data.drift;
  assert.equal(after.runId, second.id);
  assert.equal(after.exceeded, false, JSON.stringify(after));
  assert.equal(after.trainedOn.ratings, 1100);
});

test('drift needs a backend key', async () => {
  const answer = await api.gql('query { drift { exceeded } }', {}, await api.createKey('frontend'));
  assert.equal(answer.errors?.[0].extensions?.code, 'FORBIDDEN');
});
