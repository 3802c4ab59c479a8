/** When training stops: patience in epochs and in ratings, and the time budget (TRAINING_BUDGET_S). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../src/model/backend.js';
import { effectivePatience, resolveConfig } from '../../src/model/config.js';
import type { RatingData } from '../../src/model/data.js';
import { makeRng } from '../../src/model/rng.js';
import { trainRankingModel } from '../../src/model/train.js';

function randomRatings(users: number, items: number, count: number): RatingData {
  const rng = makeRng(4);
  return {
    userIdx: Int32Array.from({ length: count }, () => Math.floor(rng() * users)),
    itemIdx: Int32Array.from({ length: count }, () => Math.floor(rng() * items)),
    ratings: Float32Array.from({ length: count }, () => 1 + Math.floor(rng() * 5)),
    numUsers: users,
    numItems: items,
  };
}

before(async () => {
  await initBackend('wasm');
});

describe('early stopping', () => {
  it('waits the configured epochs on a small shop and fewer where an epoch is millions of ratings', () => {
    const c = resolveConfig({ earlyStoppingPatience: 8 });
    assert.equal(effectivePatience(c, 76_000), 8); // MovieLens u1: 4 M ratings would be 53 epochs
    assert.equal(effectivePatience(c, 950_000), 5);
    assert.equal(effectivePatience(c, 9_500_000), 2); // never fewer than two
    assert.equal(effectivePatience(resolveConfig({ earlyStoppingPatience: 8, patienceRatings: 0 }), 9_500_000), 8);
    assert.equal(effectivePatience(resolveConfig({ earlyStoppingPatience: 0 }), 9_500_000), 0);
    assert.equal(effectivePatience(resolveConfig(), 76_000), 3); // the default
    assert.throws(() => resolveConfig({ patienceRatings: -1 }), /patienceRatings/);
  });

  it('stops every network at the end of its first epoch past the budget, keeping its best epoch, and says so', async () => {
    const data = randomRatings(30, 20, 1500);
    const result = await trainRankingModel(data, { epochs: 50, ensembleSize: 2, batchSize: 128 }, { deadline: Date.now() });
    try {
      assert.deepEqual(result.stopped, ['budget', 'budget']);
      assert.deepEqual([...new Set(result.history.map((e) => e.epoch))], [1]);
      assert.deepEqual(result.bestEpochs, [1, 1]);
    } finally {
      result.model.dispose();
    }
  });

  it('records patience and the end of the epochs as the reasons otherwise', async () => {
    // Random ratings: nothing to learn, the validation RMSE soon stops improving.
    const data = randomRatings(30, 20, 1500);
    const patient = await trainRankingModel(data, { epochs: 60, ensembleSize: 1, batchSize: 128, earlyStoppingPatience: 2, learningRate: 0.02 });
    const short = await trainRankingModel(data, { epochs: 2, ensembleSize: 1, batchSize: 128 });
    try {
      assert.deepEqual(patient.stopped, ['patience']);
      assert.ok(patient.history.length < 60 && patient.history.length === patient.bestEpoch + 2, `${patient.history.length} epochs, best ${patient.bestEpoch}`);
      assert.deepEqual(short.stopped, ['epochs']);
    } finally {
      patient.model.dispose();
      short.model.dispose();
    }
  });
});

describe('epochs of epochRows rows', () => {
  it('a large shop is validated every epochRows rows, each row trained on once a pass; epochRows past the shop changes nothing', async () => {
    const data = randomRatings(40, 30, 2000);
    const base = { epochs: 4, ensembleSize: 1, batchSize: 100, earlyStoppingPatience: 0, seed: 5 };
    const batches: number[] = [];
    const seen = new Map<number, number>();
    const sliced = await trainRankingModel(
      data,
      { ...base, epochRows: 500 },
      { onBatch: (b) => (b.batch === 1 ? batches.push(b.batches) : undefined), onEpoch: (e) => seen.set(e.epoch, e.trainRmse) },
    );
    // Four epochs of 500 rows: one pass over the 2,000 rows, validated four times.
    assert.deepEqual(batches, [5, 5, 5, 5]);
    assert.equal(sliced.history.length, 4);
    assert.ok([...seen.values()].every(Number.isFinite));
    sliced.model.dispose();

    const whole = await trainRankingModel(data, { ...base, epochRows: 0 });
    const past = await trainRankingModel(data, { ...base, epochRows: 1_000_000 });
    assert.deepEqual(
      past.history.map((e) => e.valRmse),
      whole.history.map((e) => e.valRmse),
    );
    whole.model.dispose();
    past.model.dispose();
    assert.throws(() => resolveConfig({ epochRows: -1 }), /epochRows/);
  });
});
