// A run's phases reach the log as they start (not only model_runs.progress), for logs read without a terminal,
// and its progress carries an ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, captureLog } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { requestRun } from '../../src/training/registry.js';

test('the log names each phase of a run as it starts, in order', async () => {
  const captured = captureLog();
  const api = await startTestApi({ ROLE: 'api' }, { log: captured.log });
  try {
    // More than 256 users: scoring reports its progress every 256.
    await seedShop(api.db.store, { users: 300, products: 20, ratings: 3000, seed: 12 });
    // Recorded without a queue job: the service's own queue worker would race this trainer for it.
    const { run } = await requestRun(api.db.store.prisma, { trigger: 'cli', force: true, config: { epochs: 2, ensembleSize: 1 } });
    const etas: { phase: string; etaSeconds?: number }[] = [];
    assert.equal((await api.service.supervisor.execute(run.id, { onProgress: (p) => etas.push(p) }))?.status, 'succeeded');
    // Training and scoring progress carry an ETA, and the log has it too (every 10 s; the first at once).
    assert.ok(etas.some((p) => p.phase === 'train' && Number.isInteger(p.etaSeconds) && p.etaSeconds! >= 0));
    assert.ok(etas.some((p) => p.phase === 'score' && Number.isInteger(p.etaSeconds)));
    const etaLine = captured.lines().find((l) => l.runId === run.id && l.phase === 'train' && typeof l.etaSeconds === 'number');
    assert.match(String(etaLine?.msg), /^epoch 1\/2: batch \d+ of \d+, about \d+ s left in this epoch$/);
    const phases = captured
      .lines()
      .filter((l) => l.runId === run.id && typeof l.phase === 'string' && /^phase: /.test(String(l.msg)))
      .map((l) => l.phase);
    assert.deepEqual(phases, ['load', 'train', 'select', 'evaluate', 'refit', 'score', 'writeBack', 'swap']);
  } finally {
    await api.close();
  }
});
