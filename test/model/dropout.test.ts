// Dropout draws its mask from a seeded generator: kept with the asked probability, independently,
// scaled, and differentiable through the multiply.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/model/tf.js';
import { initBackend } from '../../src/model/backend.js';
import { dropout } from '../../src/model/dropout.js';
import { bernoulliMask } from '../../src/model/rng.js';

describe('dropout', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('bernoulliMask keeps each entry with the asked probability, independently, the same for the same seed', () => {
    for (const [keep, seed] of [
      [0.8, 42],
      [0.5, 0],
      [0.3, -7],
      [0.95, 2 ** 31 - 1],
    ]) {
      const n = 200_001; // odd: the last entry comes from a draw of its own
      const mask = bernoulliMask(n, keep, 1 / keep, seed);
      assert.deepEqual(mask, bernoulliMask(n, keep, 1 / keep, seed), 'reproducible');
      assert.ok(mask.every((m) => m === 0 || m === Math.fround(1 / keep)));
      const kept = mask.filter((m) => m > 0).length / n;
      assert.ok(Math.abs(kept - keep) < 0.005, `keep ${keep}: kept ${kept}`);
      // Neighbours (the two halves of one draw, and consecutive draws) are independent: P(both) ≈ keep².
      for (const lag of [1, 2, 3]) {
        let both = 0;
        for (let k = 0; k + lag < n; k++) if (mask[k] > 0 && mask[k + lag] > 0) both++;
        const joint = both / (n - lag);
        assert.ok(Math.abs(joint - keep * keep) < 0.006, `keep ${keep}, lag ${lag}: P(both) ${joint}, expected ${keep * keep}`);
      }
    }
    const a = bernoulliMask(1000, 0.5, 2, 1);
    const b = bernoulliMask(1000, 0.5, 2, 2);
    assert.ok(
      a.some((m, k) => m !== b[k]),
      'another seed, another mask',
    );
    assert.ok(bernoulliMask(100, 1, 1, 3).every((m) => m === 1));
    assert.ok(bernoulliMask(100, 0, 1, 3).every((m) => m === 0));
  });

  it('keeps, scales and passes the gradient through the same entries', () => {
    const x = tf.tensor2d(
      Float32Array.from({ length: 64 * 8 }, (_, k) => 1 + (k % 7)),
      [64, 8],
    );
    const mask = bernoulliMask(64 * 8, 0.75, 1 / 0.75, 11);
    const y = dropout(x, 0.25, 11).dataSync();
    const xs = x.dataSync();
    y.forEach((v, k) => assert.equal(v, Math.fround(xs[k] * mask[k]), `entry ${k}`));
    const grad = tf
      .grad((t: tf.Tensor) => tf.sum(dropout(t, 0.25, 11)))(x)
      .dataSync();
    assert.deepEqual(Array.from(grad), Array.from(mask));
    assert.equal(dropout(x, 0, 11), x);
    x.dispose();
  });
});
