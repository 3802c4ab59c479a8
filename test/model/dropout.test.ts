// Dropout draws its mask from the project's seeded generator: the same stream as makeRng(seed),
// kept with the asked probability, scaled, and differentiable through the multiply.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/model/backend.js';
import { dropout } from '../../src/model/dropout.js';
import { bernoulliMask, makeRng } from '../../src/model/rng.js';

describe('dropout', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('bernoulliMask is makeRng(seed) thresholded at keep, entry for entry', () => {
    for (const [keep, seed] of [[0.8, 42], [0.5, 0], [0.3, -7], [0.95, 2 ** 31 - 1]]) {
      const mask = bernoulliMask(5000, keep, 1 / keep, seed);
      const rng = makeRng(seed);
      mask.forEach((m, k) => assert.equal(m, rng() < keep ? Math.fround(1 / keep) : 0, `keep ${keep}, seed ${seed}, entry ${k}`));
    }
    assert.ok(bernoulliMask(100, 1, 1, 3).every((m) => m === 1));
    assert.ok(bernoulliMask(100, 0, 1, 3).every((m) => m === 0));
    const kept = bernoulliMask(200_000, 0.8, 1.25, 9).filter((m) => m > 0).length / 200_000;
    assert.ok(Math.abs(kept - 0.8) < 0.005, `kept ${kept}`);
  });

  it('keeps, scales and passes the gradient through the same entries', () => {
    const x = tf.tensor2d(Float32Array.from({ length: 64 * 8 }, (_, k) => 1 + (k % 7)), [64, 8]);
    const mask = bernoulliMask(64 * 8, 0.75, 1 / 0.75, 11);
    const y = dropout(x, 0.25, 11).dataSync();
    const xs = x.dataSync();
    y.forEach((v, k) => assert.equal(v, Math.fround(xs[k] * mask[k]), `entry ${k}`));
    const grad = tf.grad((t: tf.Tensor) => tf.sum(dropout(t, 0.25, 11)))(x).dataSync();
    assert.deepEqual(Array.from(grad), Array.from(mask));
    assert.equal(dropout(x, 0, 11), x);
    x.dispose();
  });
});
