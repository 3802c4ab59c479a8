// A database restart as a running service sees it: PostgreSQL (one of the
// test's own) stopped for a few seconds under load while a run trains. Requests
// fail fast with 503 SERVICE_UNAVAILABLE meanwhile, succeed again within
// seconds of its return, the process stays up, and the run is recorded failed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { skipWithoutServerBinaries, startPrivatePostgres, type PrivatePostgres } from '../../scripts/private-postgres.js';
import { startServiceProcess, until, type ServiceProcess } from '../helpers/process.js';
import { seededDatabaseOn } from '../helpers/db.js';

const TOKEN = 'outage-test-token-0123';
let server: PrivatePostgres;
let service: ServiceProcess;
let dir: string;

const skip = skipWithoutServerBinaries();

before(async () => {
  if (skip) return;
  server = await startPrivatePostgres();
  await (await seededDatabaseOn(server.url(), 'recsys', { users: 60, products: 40, ratings: 2_000, seed: 5 })).close();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-'));
  service = await startServiceProcess({ cwd: dir, token: TOKEN, env: { DATABASE_URL: server.url('recsys') } });
});
after(async () => {
  await service?.stop('SIGKILL');
  server?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('PostgreSQL stopped for 4 s under load while a run trains: 503s meanwhile, back within 5 s, the process alive, the run ended and recorded', {
  skip,
}, async () => {
  // The first run, queued at start, is training.
  const runId = await until(
    'a run training',
    60,
    async () => {
      const { data } = await service.gql('{ modelRuns { id status progress { phase } } }');
      const run = data.modelRuns[0];
      return run?.status === 'RUNNING' && run.progress?.phase === 'train' ? run.id : undefined;
    },
    service.log,
  );

  const answers: { at: number; status: number; code?: string; ms: number }[] = [];
  let loading = true;
  const load = async () => {
    while (loading) {
      const started = Date.now();
      try {
        const response = await fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ recommendations(userId: "user-01", first: 5) { rank product { id } } }' }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        answers.push({ at: started, status: response.status, code: body.errors?.[0]?.extensions?.code, ms: Date.now() - started });
      } catch (error) {
        answers.push({ at: started, status: 0, code: (error as Error).name, ms: Date.now() - started });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const loops = [load(), load(), load(), load()];
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const stoppedAt = Date.now();
  server.stop();
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  server.start();
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  loading = false;
  await Promise.all(loops);

  assert.equal(service.child.exitCode, null, `the service is still running. Its log:\n${service.log()}`);
  const down = answers.filter((a) => a.at > stoppedAt + 200 && a.at + a.ms < startedAt);
  assert.ok(down.length > 10, `requests while down: ${down.length}`);
  for (const a of down) {
    assert.deepEqual([a.status, a.code], [503, 'SERVICE_UNAVAILABLE'], JSON.stringify(a));
    assert.ok(a.ms <= 2_500, `failed fast: ${a.ms} ms`);
  }
  const firstOk = answers.find((a) => a.at >= startedAt && a.status === 200);
  assert.ok(firstOk, 'a request succeeded after the restart');
  assert.ok(firstOk.at + firstOk.ms - startedAt <= 5_000, `recovered ${firstOk.at + firstOk.ms - startedAt} ms after PostgreSQL was back`);
  const late = answers.filter((a) => a.at >= firstOk.at);
  assert.deepEqual(
    late.filter((a) => a.status !== 200),
    [],
    'every request after the first success succeeds',
  );
  // Neither a 500 nor a stack per request: one warning for the outage.
  assert.equal(answers.filter((a) => a.status === 500).length, 0);
  const log = service.log();
  assert.equal(log.match(/the database is unreachable: requests that need it answer 503/g)?.length, 1, log);
  assert.doesNotMatch(log, /"msg":"resolver failed"/);

  // The run that was training goes on in memory and ends recorded (succeeded, or failed with its reason when
  // it needed the database while it was away), and the next one trains.
  const ended = await until(
    'the interrupted run recorded',
    120,
    async () => {
      const { data } = await service.gql('query($id: ID!) { modelRun(id: $id) { status error } }', { id: runId });
      return ['QUEUED', 'RUNNING'].includes(data.modelRun.status) ? undefined : data.modelRun;
    },
    service.log,
  );
  assert.ok(ended.status === 'SUCCEEDED' || ended.status === 'REJECTED' || (ended.status === 'FAILED' && ended.error), JSON.stringify(ended));
  const next = await service.gql('mutation { retrain(force: true, config: { epochs: 2, ensembleSize: 1 }) { id } }');
  const done = await until(
    'the next run',
    90,
    async () => {
      const { data } = await service.gql('query($id: ID!) { modelRun(id: $id) { status } }', { id: next.data.retrain.id });
      return ['QUEUED', 'RUNNING'].includes(data.modelRun.status) ? undefined : data.modelRun.status;
    },
    service.log,
  );
  assert.equal(done, 'SUCCEEDED', service.log());
});
