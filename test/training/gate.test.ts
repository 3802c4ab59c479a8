import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qualityGate } from '../../src/training/gate.js';

const base = { baselineRmse: 1.0, activeRmse: 0.9, tolerance: 0.02, forced: false };

test('accepts a run that beats its baseline and is within tolerance of the active model', () => {
  assert.equal(qualityGate({ ...base, networkRmse: 0.91 }).accept, true);
  assert.equal(qualityGate({ ...base, networkRmse: 0.85 }).accept, true);
  assert.equal(qualityGate({ ...base, activeRmse: null, networkRmse: 0.99 }).accept, true);
});

test('rejects a run that does not beat its baseline, or is too much worse than the active model', () => {
  const noBetter = qualityGate({ ...base, networkRmse: 1.0 });
  assert.equal(noBetter.accept, false);
  assert.match(noBetter.reason, /does not beat its baseline/);
  const worse = qualityGate({ ...base, networkRmse: 0.92 });
  assert.equal(worse.accept, false);
  assert.match(worse.reason, /worse than the active model's 0.9000 by more than 2.0 %/);
  assert.equal(qualityGate({ ...base, networkRmse: Number.NaN }).accept, false);
});

test('a forced run skips the gate', () => {
  assert.equal(qualityGate({ ...base, networkRmse: 2, forced: true }).accept, true);
});
