// The `runs` table: epochs per network, not network-epochs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRuns } from '../../src/cli/commands/runs.js';
import type { ModelRun } from '../../src/training/registry.js';

const run = (history: unknown[]): ModelRun =>
  ({
    id: 1,
    status: 'succeeded',
    trigger: 'cli',
    active: true,
    history,
    metrics: null,
    progress: null,
    backend: 'wasm',
    error: null,
    reason: null,
    startedAt: null,
    finishedAt: null,
    createdAt: new Date(0),
  }) as unknown as ModelRun;

test('the epochs column counts epochs per network: three networks of two epochs are "3 × 2"', () => {
  const ensemble = [1, 2, 3].flatMap((member) => [1, 2].map((epoch) => ({ member, epoch })));
  assert.match(formatRuns([run(ensemble)]).split('\n')[2], /^1\s+succeeded\s+cli\s+yes\s+3 × 2\s/);
  assert.match(formatRuns([run([{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }])]).split('\n')[2], /^1\s+succeeded\s+cli\s+yes\s+3\s/);
});
