/**
 * End-to-end on synthetic data: a hidden latent-factor model + noise. The network must beat the
 * bias baseline; scoring paths agree with each other; artifacts round-trip (also via tf.loadLayersModel).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '../../src/model/tf.js';
import { fileSystemLoadHandler, loadModel, saveModel } from '../../src/model/artifacts.js';
import { initBackend } from '../../src/model/backend.js';
import { DEFAULT_TRAINING_CONFIG, resolveConfig } from '../../src/model/config.js';
import { splitValidation, type RatingData } from '../../src/model/data.js';
import { rmse } from '../../src/model/metrics.js';
import { makeRng } from '../../src/model/rng.js';
import { scoreAllItems, scorePairs } from '../../src/model/score.js';
import { RankingModel } from '../../src/model/ranking-model.js';
import { trainRankingModel, type TrainResult } from '../../src/model/train.js';

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** r = 3.5 + b_u + b_i + p_u·q_i + noise, clipped to [1, 5]. */
function synthetic(numUsers: number, numItems: number, count: number, seed: number): RatingData {
  const rng = makeRng(seed);
  const k = 4;
  const p = Array.from({ length: numUsers }, () => Array.from({ length: k }, () => gaussian(rng) * 0.6));
  const q = Array.from({ length: numItems }, () => Array.from({ length: k }, () => gaussian(rng) * 0.6));
  const bu = Array.from({ length: numUsers }, () => gaussian(rng) * 0.3);
  const bi = Array.from({ length: numItems }, () => gaussian(rng) * 0.3);
  const seen = new Set<number>();
  const userIdx = new Int32Array(count);
  const itemIdx = new Int32Array(count);
  const ratings = new Float32Array(count);
  for (let n = 0; n < count; ) {
    const u = Math.floor(rng() * numUsers);
    const i = Math.floor(rng() * numItems);
    if (seen.has(u * numItems + i)) continue;
    seen.add(u * numItems + i);
    let dot = 0;
    for (let f = 0; f < k; f++) dot += p[u][f] * q[i][f];
    userIdx[n] = u;
    itemIdx[n] = i;
    ratings[n] = Math.min(5, Math.max(1, 3.5 + bu[u] + bi[i] + dot + gaussian(rng) * 0.3));
    n++;
  }
  return { userIdx, itemIdx, ratings, numUsers, numItems };
}

describe('ranking model on synthetic latent-factor data', () => {
  const all = synthetic(150, 120, 9000, 1);
  const { train, validation: test } = splitValidation(all, 0.2, 99);
  let result: TrainResult;
  let tmp: string;

  before(async () => {
    assert.equal(await initBackend(), 'wasm');
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'ranking-model-'));
    // One network (ensembleSize 1): its artifacts are checked against tf.loadLayersModel below.
    result = await trainRankingModel(train, {
      epochs: 40,
      learningRate: 3e-3,
      batchSize: 256,
      dropout: 0.1,
      l2: 0.01,
      earlyStoppingPatience: 5,
      seed: 5,
      ensembleSize: 1,
    });
  });

  after(async () => {
    result?.model.dispose();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('trains, records history and beats the bias baseline on held-out ratings', () => {
    const { model, baseline, history, bestEpoch } = result;
    assert.ok(history.length >= 1 && bestEpoch >= 1 && bestEpoch <= history.length);
    for (const h of history) assert.ok(Number.isFinite(h.trainRmse) && Number.isFinite(h.valRmse) && h.seconds > 0);
    const net = rmse(scorePairs(model, test.userIdx, test.itemIdx, baseline), test.ratings);
    const base = rmse(baseline.predictArrays(test.userIdx, test.itemIdx), test.ratings);
    assert.ok(net < base - 0.05, `network ${net} should beat baseline ${base}`);
  });

  it('is deterministic given the seed', async () => {
    const small = { ...train, ratings: train.ratings.subarray(0, 2000), userIdx: train.userIdx.subarray(0, 2000), itemIdx: train.itemIdx.subarray(0, 2000) };
    const cfg = { epochs: 2, seed: 3, dropout: 0.2, layerSizes: [32, 16], embeddingDim: 8 };
    const a = await trainRankingModel(small, cfg);
    const b = await trainRankingModel(small, cfg);
    assert.deepEqual(
      a.history.map((h) => h.valRmse),
      b.history.map((h) => h.valRmse),
    );
    assert.deepEqual(Array.from(a.model.predictArrays(test.userIdx, test.itemIdx)), Array.from(b.model.predictArrays(test.userIdx, test.itemIdx)));
    a.model.dispose();
    b.model.dispose();
  });

  it('scoreAllItems (split first layer) agrees with scorePairs and clips to the rating range', async () => {
    const { model } = result;
    const users = [0, 7, 149, 3, 42];
    const blocks: { users: Int32Array; scores: Float32Array }[] = [];
    await scoreAllItems(model, users, (b) => void blocks.push(b), { usersPerBlock: 2 });
    assert.deepEqual(
      blocks.map((b) => b.users.length),
      [2, 2, 1],
    );
    for (const b of blocks) {
      assert.equal(b.scores.length, b.users.length * model.numItems);
      const pu: number[] = [];
      const pi: number[] = [];
      b.users.forEach((u) => {
        for (let i = 0; i < model.numItems; i++) {
          pu.push(u);
          pi.push(i);
        }
      });
      const ref = scorePairs(model, pu, pi);
      for (let k = 0; k < ref.length; k++) {
        assert.ok(Math.abs(ref[k] - b.scores[k]) < 1e-4, `${k}: ${ref[k]} vs ${b.scores[k]}`);
        assert.ok(b.scores[k] >= 1 && b.scores[k] <= 5);
      }
    }
  });

  it('scorePairs falls back to the baseline for unknown users/products', () => {
    const { model, baseline } = result;
    const s = scorePairs(model, [-1, 0, 5000], [3, -1, 2], baseline);
    assert.equal(s[0], Math.fround(baseline.predict(-1, 3)));
    assert.equal(s[1], Math.fround(baseline.predict(0, -1)));
    assert.equal(s[2], Math.fround(baseline.predict(5000, 2)));
  });

  it('artifacts round-trip: same predictions after reload, and loadable by tf.loadLayersModel', async () => {
    const { model, baseline, history, bestEpoch } = result;
    const dir = path.join(tmp, 'model');
    await saveModel(model, dir, { baseline, history, bestEpoch });
    await saveModel(model, dir, { baseline, history, bestEpoch }); // overwrite works (and layer names do not clash)
    const files = (await fs.readdir(dir)).sort();
    assert.deepEqual(files, ['baseline.json', 'model.json', 'training.json', 'weights.bin']);

    const loaded = await loadModel(dir);
    try {
      assert.deepEqual(loaded.metadata.config, result.config);
      const before = model.predictArrays(test.userIdx, test.itemIdx);
      const afterLoad = loaded.model.predictArrays(test.userIdx, test.itemIdx);
      assert.deepEqual(Array.from(afterLoad), Array.from(before));
      assert.equal(loaded.baseline?.predict(3, 4), baseline.predict(3, 4));

      // The same files as a plain Keras-style LayersModel (unclipped output).
      const keras = await tf.loadLayersModel(fileSystemLoadHandler(dir));
      const n = 50;
      const out = tf.tidy(() => {
        const u = tf.tensor2d(test.userIdx.subarray(0, n), [n, 1], 'int32');
        const i = tf.tensor2d(test.itemIdx.subarray(0, n), [n, 1], 'int32');
        return tf.clipByValue(keras.predict([u, i]) as tf.Tensor, 1, 5).dataSync();
      });
      keras.dispose();
      for (let k = 0; k < n; k++) assert.ok(Math.abs(out[k] - before[k]) < 1e-4, `${out[k]} vs ${before[k]}`);
    } finally {
      loaded.model.dispose();
    }
  });

  it('artifacts load on the cpu backend too', async () => {
    const dir = path.join(tmp, 'model-cpu');
    await saveModel(result.model, dir);
    const expected = result.model.predictArrays(test.userIdx.subarray(0, 100), test.itemIdx.subarray(0, 100));
    await initBackend('cpu');
    try {
      const loaded = await loadModel(dir);
      const got = loaded.model.predictArrays(test.userIdx.subarray(0, 100), test.itemIdx.subarray(0, 100));
      loaded.model.dispose();
      for (let k = 0; k < got.length; k++) assert.ok(Math.abs(got[k] - expected[k]) < 1e-4);
    } finally {
      await initBackend('wasm');
    }
  });

  it('dotProduct variant: scoring paths agree and artifacts round-trip through tf.loadLayersModel', async () => {
    const r = await trainRankingModel(train, { epochs: 2, dotProduct: true, embeddingDim: 8, layerSizes: [32, 16], seed: 9, ensembleSize: 1 });
    try {
      const blocks: Float32Array[] = [];
      await scoreAllItems(r.model, [4, 9], (b) => void blocks.push(b.scores));
      const ref = scorePairs(
        r.model,
        [...Array(r.model.numItems).fill(4), ...Array(r.model.numItems).fill(9)],
        [...Array.from({ length: r.model.numItems }, (_, i) => i), ...Array.from({ length: r.model.numItems }, (_, i) => i)],
      );
      blocks[0].forEach((v, k) => assert.ok(Math.abs(v - ref[k]) < 1e-4));
      const dir = path.join(tmp, 'model-dot');
      await saveModel(r.model, dir);
      const keras = await tf.loadLayersModel(fileSystemLoadHandler(dir));
      const out = tf.tidy(() =>
        tf.clipByValue(keras.predict([tf.tensor2d([[4], [9]], [2, 1], 'int32'), tf.tensor2d([[3], [3]], [2, 1], 'int32')]) as tf.Tensor, 1, 5).dataSync(),
      );
      keras.dispose();
      assert.ok(Math.abs(out[0] - ref[3]) < 1e-4 && Math.abs(out[1] - ref[r.model.numItems + 3]) < 1e-4);
      const loaded = await loadModel(dir);
      assert.deepEqual(Array.from(loaded.model.predictArrays(test.userIdx, test.itemIdx)), Array.from(r.model.predictArrays(test.userIdx, test.itemIdx)));
      loaded.model.dispose();
    } finally {
      r.model.dispose();
    }
  });

  it('refitFullData retrains on all ratings for the best epoch count', async () => {
    const r = await trainRankingModel(train, { epochs: 3, refitFullData: true, embeddingDim: 8, layerSizes: [16, 8], seed: 2, ensembleSize: 1 });
    try {
      assert.equal(r.history.length, 3);
      assert.equal(r.refitHistory.length, r.bestEpoch);
      assert.ok(r.refitHistory.every((h) => Number.isNaN(h.valRmse)));
    } finally {
      r.model.dispose();
    }
  });

  it('an ensemble predicts the mean of its networks, scores all items alike, and saves and loads whole', async () => {
    const small = { epochs: 3, embeddingDim: 8, layerSizes: [16, 8], seed: 3 };
    const before = tf.memory().numTensors;
    const r = await trainRankingModel(train, { ...small, ensembleSize: 3 });
    const one = await trainRankingModel(train, { ...small, ensembleSize: 1 });
    try {
      assert.equal(r.model.members.length, 3);
      assert.deepEqual([...new Set(r.history.map((h) => h.member))], [1, 2, 3]);
      assert.ok(r.history.every((h) => h.members === 3));
      assert.equal(r.bestEpochs.length, 3);
      // The first network is the one a single-network run with the same seed trains; the others differ.
      const u = test.userIdx.subarray(0, 200);
      const i = test.itemIdx.subarray(0, 200);
      const each = r.model.members.map((m) => m.predictArrays(u, i, undefined, false)); // unclipped
      assert.deepEqual(Array.from(each[0]), Array.from(one.model.predictArrays(u, i, undefined, false)));
      assert.notDeepEqual(Array.from(each[1]), Array.from(each[0]));
      const mean = r.model.predictArrays(u, i);
      const clip = (x: number) => Math.min(5, Math.max(1, x));
      mean.forEach((p, k) => assert.ok(Math.abs(p - clip((each[0][k] + each[1][k] + each[2][k]) / 3)) < 1e-5));
      assert.deepEqual(Array.from(scorePairs(r.model, u, i)), Array.from(mean));

      const blocks: Float32Array[] = [];
      await scoreAllItems(r.model, [7], (b) => void blocks.push(b.scores));
      const ref = scorePairs(
        r.model,
        new Int32Array(r.model.numItems).fill(7),
        Int32Array.from({ length: r.model.numItems }, (_, k) => k),
      );
      blocks[0].forEach((v, k) => assert.ok(Math.abs(v - ref[k]) < 1e-4, `item ${k}: ${v} vs ${ref[k]}`));

      const dir = path.join(tmp, 'model-ensemble');
      await saveModel(r.model, dir, { baseline: r.baseline });
      const loaded = await loadModel(dir);
      assert.equal(loaded.model.members.length, 3);
      assert.deepEqual(Array.from(loaded.model.predictArrays(u, i)), Array.from(mean));
      loaded.model.dispose();
      // The first network alone is still a plain TensorFlow.js model.
      const keras = await tf.loadLayersModel(fileSystemLoadHandler(dir));
      keras.dispose();
      assert.throws(() => resolveConfig({ ensembleSize: 9 }), /at most 8/);
    } finally {
      r.model.dispose();
      one.model.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  });

  it('scoreAllItems leaves the scores unclipped when asked (the prediction matrix keeps them so)', async () => {
    // A network whose output starts at 6: above the top rating for (nearly) every pair.
    const model = new RankingModel(resolveConfig({ embeddingDim: 4, layerSizes: [8], seed: 1 }), 3, 5, { globalMean: 6 });
    try {
      const clipped: number[] = [];
      const raw: number[] = [];
      await scoreAllItems(model, [0, 2], (b) => void clipped.push(...b.scores));
      await scoreAllItems(model, [0, 2], (b) => void raw.push(...b.scores), { clip: false });
      assert.ok(clipped.every((v) => v >= 1 && v <= 5));
      assert.ok(
        raw.some((v) => v > 5),
        `${raw}`,
      );
      const forward = tf.tidy(() =>
        model.forward(tf.tensor1d([0, 0, 0, 0, 0, 2, 2, 2, 2, 2], 'int32'), tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'int32')).predictions.dataSync(),
      );
      raw.forEach((v, k) => assert.ok(Math.abs(v - forward[k]) < 1e-4, `${v} vs ${forward[k]}`));
      clipped.forEach((v, k) => assert.equal(v, Math.min(5, Math.max(1, raw[k]))));
    } finally {
      model.dispose();
    }
  });

  it('config defaults and validation', () => {
    assert.equal(DEFAULT_TRAINING_CONFIG.embeddingDim, 32);
    assert.deepEqual(DEFAULT_TRAINING_CONFIG.layerSizes, [256, 64]);
    assert.throws(() => resolveConfig({ optimizer: 'rmsprop' as never }));
    assert.throws(() => resolveConfig({ batchSize: 0 }));
    for (const optimizer of ['adam', 'sgd', 'adagrad'] as const) assert.equal(resolveConfig({ optimizer }).optimizer, optimizer);
  });
});

describe('training variants from the TrainingConfig', () => {
  const all = synthetic(60, 50, 2500, 4);
  const cut = 2250;
  const part = (from: number, to: number): RatingData => ({
    ...all,
    userIdx: all.userIdx.slice(from, to),
    itemIdx: all.itemIdx.slice(from, to),
    ratings: all.ratings.slice(from, to),
  });
  const data = part(0, cut);
  const validation = part(cut, all.ratings.length);
  // What predicting the training mean for every held-out rating scores: a model that learnt anything beats it.
  const mean = data.ratings.reduce((a, b) => a + b, 0) / data.ratings.length;
  const meanRmse = Math.sqrt(validation.ratings.reduce((a, r) => a + (r - mean) ** 2, 0) / validation.ratings.length);
  it('lazy Adam without bias terms, dense Adam, weight averaging, hidden dropout: all train and beat the mean', async () => {
    await initBackend('wasm');
    const variants = [
      { lazyAdam: true, useBias: false },
      { lazyAdam: false },
      { lazyAdam: true, weightAverageDecay: 0.99, hiddenDropout: 0.3, plateauDecay: 0.5 },
    ];
    const before = tf.memory().numTensors;
    for (const v of variants) {
      const r = await trainRankingModel(
        data,
        { epochs: 6, batchSize: 128, learningRate: 5e-3, layerSizes: [32, 16], embeddingDim: 8, seed: 9, ...v },
        { validation },
      );
      const val = r.history[r.bestEpoch - 1].valRmse;
      assert.ok(Number.isFinite(val) && val < meanRmse * 0.9, `${JSON.stringify(v)}: val RMSE ${val} against the mean's ${meanRmse}`);
      r.model.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  });
});
