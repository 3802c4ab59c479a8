// A run's phases reach the log as they start (not only model_runs.progress), for logs read without a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, captureLog } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';

test('the log names each phase of a run as it starts, in order', async () => {
  const captured = captureLog();
  const api = await startTestApi({ TRAINER: 'false' }, { log: captured.log });
  try {
    await seedShop(api.db.store, { users: 30, products: 20, ratings: 500, seed: 12 });
    const { run } = await api.service.scheduler.requestRetrain({ trigger: 'cli', force: true, config: { epochs: 2, ensembleSize: 1 } });
    assert.equal((await api.service.trainer.execute(run.id))?.status, 'succeeded');
    const phases = captured.lines().filter((l) => l.runId === run.id && typeof l.phase === 'string' && /^phase: /.test(String(l.msg))).map((l) => l.phase);
    assert.deepEqual(phases, ['load', 'train', 'evaluate', 'score', 'writeBack']);
  } finally {
    await api.close();
  }
});
