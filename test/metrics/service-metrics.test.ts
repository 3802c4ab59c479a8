// /metrics in the Prometheus text format: requests, errors, pool, coalescer, registry, process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, TEST_TOKEN, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { requestRun } from '../../src/training/registry.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 20, products: 15, ratings: 300, seed: 2 });
});
after(async () => api?.close());

const metricsUrl = () => api.url.replace(/\/graphql$/, '/metrics');

/** Checks every line against the text format (version 0.0.4) and returns the samples by name and labels. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.match(meta[3], /^(counter|gauge|histogram|summary|untyped)$/, line);
        types.set(meta[2], meta[3]);
      }
      continue;
    }
    const m = sample.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  assert.ok(types.size > 10);
  return samples;
}

test('/metrics needs a backend or admin key and answers Prometheus text with what the service did', async () => {
  assert.equal((await fetch(metricsUrl())).status, 401);
  const frontend = await api.createKey('frontend');
  assert.equal((await fetch(metricsUrl(), { headers: { authorization: `Bearer ${frontend}` } })).status, 401);

  for (let k = 0; k < 3; k++) await api.gql('query Home { recommendations(userId: "user-01", first: 3) { rank } }', {}, false);
  await api.gql('query Missing { unratedProductScores(userId: "nobody") { totalCount } }', {}, false);
  await api.gql('{ users(first: 1) { totalCount } }', {}, false); // UNAUTHENTICATED for the field

  const response = await fetch(metricsUrl(), { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const samples = parsePrometheus(await response.text());
  const value = (key: string) => samples.get(key);
  assert.equal(value('recsys_graphql_requests_total{operation="Home",outcome="ok"}'), 3);
  assert.equal(value('recsys_graphql_requests_total{operation="Missing",outcome="error"}'), 1);
  assert.equal(value('recsys_graphql_request_duration_seconds_count{operation="Home",outcome="ok"}'), 3);
  assert.equal(value('recsys_errors_total{code="NOT_FOUND"}'), 1);
  assert.equal(value('recsys_errors_total{code="UNAUTHENTICATED"}'), 1);
  assert.ok(value('recsys_db_pool_connections{pool="primary",state="total"}')! >= 1);
  assert.ok(value('recsys_rank_requests_total')! >= 4);
  assert.ok(value('recsys_rank_statements_total')! >= 1);
  assert.equal(value('recsys_model_runs{status="succeeded"}'), 0);
  assert.ok(value('process_cpu_seconds_total')! > 0);
  assert.ok(value('nodejs_eventloop_lag_p99_seconds') !== undefined);
});

test('the active model in /metrics: id, age, validation RMSE, matrix rows, phase durations', async () => {
  // Recorded without a queue job: the service's own queue worker would race this trainer for it.
  const { run } = await requestRun(api.db.store.prisma, { trigger: 'cli', config: { epochs: 2, ensembleSize: 1 }, force: true });
  const trained = await api.service.supervisor.execute(run.id);
  assert.equal(trained?.status, 'succeeded');
  const samples = parsePrometheus(await (await fetch(metricsUrl(), { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text());
  assert.equal(samples.get('recsys_active_model_run_id'), run.id);
  assert.ok(samples.get('recsys_active_model_age_seconds')! >= 0);
  assert.ok(samples.get('recsys_active_model_validation_rmse{model="network"}')! > 0);
  assert.equal(samples.get('recsys_prediction_matrix_rows'), (trained!.matrix as { rows: number }).rows);
  assert.ok(samples.get('recsys_active_model_phase_seconds{phase="train"}')! > 0);
  assert.equal(samples.get('recsys_model_runs{status="succeeded"}'), 1);
});
