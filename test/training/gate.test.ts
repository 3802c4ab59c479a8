import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qualityGate } from '../../src/training/gate.js';

const base = { baselineRmse: 1.0, activeRmse: 0.9, tolerance: 0.02, forced: false, servedNdcg: 0.4, popularityNdcg: 0.2 };

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

test('rejects a run whose lists rank below the most popular products, and accepts one level with them', () => {
  const below = qualityGate({ ...base, networkRmse: 0.85, servedNdcg: 0.19 });
  assert.equal(below.accept, false);
  assert.match(below.reason, /rank below the most popular products' \(NDCG@10 0.1900 against 0.2000/);
  assert.equal(qualityGate({ ...base, networkRmse: 0.85, servedNdcg: 0.2 }).accept, true);
  // No user with a relevant held-out product: nothing to compare, the RMSE rules decide.
  assert.equal(qualityGate({ ...base, networkRmse: 0.85, servedNdcg: null, popularityNdcg: null }).accept, true);
});

test('a forced run skips the gate', () => {
  assert.equal(qualityGate({ ...base, networkRmse: 2, forced: true }).accept, true);
  assert.equal(qualityGate({ ...base, networkRmse: 0.85, servedNdcg: 0.01, forced: true }).accept, true);
});
