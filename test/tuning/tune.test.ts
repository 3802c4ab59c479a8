// Hyper-parameter search as a job: trials are TUNING runs that are never served, the best is found against
// the default's trial, a bad trial is stopped early, and promotion changes what later runs start from.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { medianCurve } from '../../src/tuning/tuner.js';
import { parseSearchSpace, sampleConfigurations } from '../../src/tuning/search-space.js';
import { trainRankingModel } from '../../src/model/train.js';
import { initBackend } from '../../src/model/backend.js';
import { makeRng } from '../../src/model/rng.js';

describe('search space and pruning', () => {
  it('samples within each range, log ranges on a log scale, reproducibly', () => {
    const space = parseSearchSpace({ learningRate: { min: 1e-4, max: 1e-2, log: true }, embeddingDim: { values: [16, 32] }, dropout: { min: 0.1, max: 0.5 } });
    const samples = sampleConfigurations(space, 200, 3);
    assert.deepEqual(samples, sampleConfigurations(space, 200, 3));
    for (const s of samples) {
      assert.ok((s.learningRate as number) >= 1e-4 && (s.learningRate as number) <= 1e-2);
      assert.ok([16, 32].includes(s.embeddingDim as number));
      assert.ok((s.dropout as number) >= 0.1 && (s.dropout as number) <= 0.5);
    }
    // Log-uniform: about half the draws below the geometric middle, 1e-3.
    const below = samples.filter((s) => (s.learningRate as number) < 1e-3).length;
    assert.ok(below > 70 && below < 130, `${below} of 200 below 1e-3`);
    // The drawn step size is the trial's at every shop size.
    assert.ok(samples.every((s) => s.largeShopLearningRate === s.learningRate));
  });

  it('refuses unknown parameters and ranges no run would accept', () => {
    assert.throws(() => parseSearchSpace({ nope: { min: 1, max: 2 } }), /not a training parameter/);
    assert.throws(() => parseSearchSpace({ dropout: { min: 0.5, max: 1.5 } }), /dropout/);
    assert.throws(() => parseSearchSpace({ l2: { min: 0, max: 1, log: true } }), /min > 0/);
  });

  it('the median curve of the best so far needs two trials at an epoch; a trial above it is pruned after the grace epochs', async () => {
    assert.deepEqual(
      medianCurve([
        [0.9, 0.95, 0.8],
        [1.0, 0.85],
      ]),
      [0.9, 0.85, Infinity],
    );
    await initBackend('wasm');
    const rng = makeRng(1);
    const n = 2000;
    const data = {
      userIdx: Int32Array.from({ length: n }, () => Math.floor(rng() * 50)),
      itemIdx: Int32Array.from({ length: n }, () => Math.floor(rng() * 40)),
      ratings: Float32Array.from({ length: n }, () => 1 + Math.floor(rng() * 5)),
      numUsers: 50,
      numItems: 40,
    };
    const result = await trainRankingModel(data, { epochs: 10, ensembleSize: 1, validationFraction: 0.2 }, { pruneAbove: new Array(10).fill(0.01) });
    assert.deepEqual(result.stopped, ['pruned']);
    assert.equal(result.history.length, 3);
    result.model.dispose();
  });
});

let api: TestApi;
before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 60, products: 40, ratings: 1500, seed: 5 });
});
after(async () => api?.close());

const SEARCH = `query($id: ID!) { tuningSearch(id: $id) { id status trials metric margin error
  runs { id status trigger active searchId config metrics { network { rmse } stopped } }
  best { id config } default { id metrics { network { rmse } } } } }`;

test('a search of 4 trials makes 4 TUNING runs, none served, and a best configuration; promoting it changes what runs start from', async () => {
  const space = { dropout: { min: 0.1, max: 0.6 }, learningRate: { min: 0.001, max: 0.02, log: true } };
  const started = await api.gql('mutation($input: TuneInput!) { tune(input: $input) { id status } }', {
    input: { trials: 4, space, seed: 7, base: { epochs: 4 } },
  });
  assert.equal(started.data.tune.status, 'RUNNING', JSON.stringify(started));
  let search: any;
  for (const deadline = Date.now() + 240_000; ; ) {
    search = (await api.gql(SEARCH, { id: started.data.tune.id })).data.tuningSearch;
    if (search.status !== 'RUNNING') break;
    assert.ok(Date.now() < deadline, JSON.stringify(search));
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(search.status, 'SUCCEEDED', JSON.stringify(search));
  assert.equal(search.runs.length, 4);
  for (const run of search.runs) {
    assert.equal(run.trigger, 'TUNING');
    assert.equal(run.searchId, search.id);
    assert.equal(run.active, false);
    assert.equal(run.config.model.epochs, 4);
    assert.equal(run.config.model.ensembleSize, 1);
  }
  assert.equal(search.default.id, search.runs[0].id, 'trial 1 is the default configuration');
  const rmses = search.runs.map((r: any) => r.metrics.network.rmse);
  assert.equal(Math.min(...rmses), rmses[search.runs.findIndex((r: any) => r.id === search.best.id)]);
  assert.ok(search.margin <= 0 && Math.abs(search.margin - (Math.min(...rmses) - rmses[0])) < 1e-9);
  assert.equal((await api.gql('query { activeModel { id } }')).data.activeModel, null, 'no trial is served');

  assert.deepEqual((await api.gql('query { trainingDefaults }')).data.trainingDefaults, {});
  const promoted = (await api.gql('mutation($id: ID!) { promoteConfig(runId: $id) }', { id: search.best.id })).data.promoteConfig;
  assert.equal(promoted.dropout, search.best.config.model.dropout);
  assert.equal(promoted.seed, undefined, "the seed stays the run's own");
  const run = (await api.gql('mutation { retrain { id } }')).data.retrain;
  for (const deadline = Date.now() + 120_000; ; ) {
    const current = (await api.gql('query($id: ID!) { modelRun(id: $id) { status config } }', { id: run.id })).data.modelRun;
    if (current.status !== 'QUEUED' && current.status !== 'RUNNING') {
      assert.equal(current.config.model.dropout, search.best.config.model.dropout);
      assert.equal(current.config.model.learningRate, search.best.config.model.learningRate);
      break;
    }
    assert.ok(Date.now() < deadline);
    await new Promise((r) => setTimeout(r, 100));
  }
});

test('bad searches are refused with what is wrong, and tuning is for admins', async () => {
  const tune = (input: object, token?: string) => api.gql('mutation($input: TuneInput!) { tune(input: $input) { id } }', { input }, token);
  for (const [input, pattern] of [
    [{ trials: 0 }, /trials must be 1 to 100/],
    [{ trials: 2, space: { nope: { min: 1, max: 2 } } }, /not a training parameter/],
    [{ trials: 2, metric: 'accuracy' }, /metric must be one of rmse, mae, ndcg/],
    [{ trials: 2, base: { dropout: 2 } }, /input\.base\.dropout/],
  ] as const) {
    const answer = await tune(input);
    assert.equal(answer.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(answer));
    assert.match(answer.errors![0].message, pattern);
  }
  assert.equal((await tune({ trials: 2 }, await api.createKey('backend'))).errors?.[0].extensions?.code, 'FORBIDDEN');
  assert.equal((await api.gql('mutation { promoteConfig(runId: "999999") }')).errors?.[0].extensions?.code, 'NOT_FOUND');
});
