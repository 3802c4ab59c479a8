/** LazyAdam (sparse Adam for embedding tables) against tfjs' Adam, and the unique-id helper. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/model/tf.js';
import { initBackend } from '../../src/model/backend.js';
import { LazyAdam, uniqueIds } from '../../src/model/optimizer.js';
import { makeRng, uniform } from '../../src/model/rng.js';

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) <= tol * (1 + Math.abs(b[k])), `index ${k}: ${a[k]} vs ${b[k]}`);
}

describe('LazyAdam', () => {
  before(async () => {
    assert.equal(await initBackend('wasm'), 'wasm');
  });

  it('equals tfjs Adam when every row is in every batch (2-D table and 1-D bias)', () => {
    const rng = makeRng(11);
    const rows = 6;
    const dim = 3;
    const init = uniform(rows * dim, 1, rng);
    const initB = uniform(rows, 1, rng);
    const ref = tf.variable(tf.tensor2d(init, [rows, dim]));
    const refB = tf.variable(tf.tensor1d(initB));
    const lazyT = tf.variable(tf.tensor2d(init, [rows, dim]));
    const lazyB = tf.variable(tf.tensor1d(initB));
    const adam = tf.train.adam(0.01);
    const lazy = new LazyAdam(0.01);
    for (let step = 0; step < 25; step++) {
      const g = uniform(rows * dim, 1, rng);
      const gb = uniform(rows, 1, rng);
      // The lazy optimizer gets the rows in a shuffled order: order must not matter.
      const order = Int32Array.from([3, 0, 5, 1, 4, 2]);
      const gPerm = new Float32Array(rows * dim);
      const gbPerm = new Float32Array(rows);
      order.forEach((r, k) => {
        gPerm.set(g.subarray(r * dim, (r + 1) * dim), k * dim);
        gbPerm[k] = gb[r];
      });
      tf.tidy(() => {
        adam.applyGradients([
          { name: ref.name, tensor: tf.tensor2d(g, [rows, dim]) },
          { name: refB.name, tensor: tf.tensor1d(gb) },
        ]);
        const idx = tf.tensor1d(order, 'int32');
        lazy.applySparseGradients([
          { variable: lazyT, indices: idx, gradient: tf.tensor2d(gPerm, [rows, dim]) },
          { variable: lazyB, indices: idx, gradient: tf.tensor1d(gbPerm) },
        ]);
      });
    }
    close(lazyT.dataSync(), ref.dataSync());
    close(lazyB.dataSync(), refB.dataSync());
    assert.equal(lazy.iterations, 25);
    adam.dispose();
    lazy.dispose();
    tf.dispose([ref, refB, lazyT, lazyB]);
  });

  it('leaves rows outside the batch, and their moments, untouched', () => {
    const table = tf.variable(tf.tensor2d([1, 1, 2, 2, 3, 3], [3, 2]));
    const lazy = new LazyAdam(0.1);
    const before = tf.memory().numTensors;
    tf.tidy(() => lazy.applySparseGradients([{ variable: table, indices: tf.tensor1d([1], 'int32'), gradient: tf.tensor2d([[1, -1]]) }]));
    // Row 1 moved by lr against the gradient's sign (first Adam step: ±lr); rows 0 and 2 did not.
    close(table.dataSync(), [1, 1, 1.9, 2.1, 3, 3], 1e-5);
    // Row 0 with a zero gradient now: it takes no step (dense Adam would keep moving row 1 instead).
    tf.tidy(() => lazy.applySparseGradients([{ variable: table, indices: tf.tensor1d([0], 'int32'), gradient: tf.tensor2d([[0, 0]]) }]));
    close(table.dataSync(), [1, 1, 1.9, 2.1, 3, 3], 1e-5);
    assert.equal(tf.memory().numTensors, before + 2); // the two moment slots only, nothing leaked
    lazy.dispose();
    table.dispose();
  });
});

describe('uniqueIds', () => {
  it('maps positions to first-seen unique ids, reusing the scratch stamp across calls', () => {
    const stamp = new Int32Array(10);
    const a = uniqueIds(Int32Array.from([4, 2, 4, 9, 2, 0]), 6, stamp);
    assert.deepEqual(Array.from(a.unique), [4, 2, 9, 0]);
    assert.deepEqual(Array.from(a.local), [0, 1, 0, 2, 1, 3]);
    const b = uniqueIds(Int32Array.from([9, 4, 1, 9, 7]), 4, stamp); // only the first 4 count
    assert.deepEqual(Array.from(b.unique), [9, 4, 1]);
    assert.deepEqual(Array.from(b.local), [0, 1, 2, 0]);
  });
});

describe('WeightAverage', () => {
  it('follows s ← d·s + (1 − d)·w with the warm-up decay min(d, (1 + t) / (10 + t))', async () => {
    const { WeightAverage } = await import('../../src/model/optimizer.js');
    const w = tf.variable(tf.tensor1d([0, 10]));
    const avg = new WeightAverage([w], 0.5);
    let expect = [0, 10];
    for (let t = 1; t <= 4; t++) {
      w.assign(tf.tensor1d([t, 10 - t]));
      avg.update();
      const d = Math.min(0.5, (1 + t) / (10 + t));
      expect = expect.map((s, k) => d * s + (1 - d) * [t, 10 - t][k]);
    }
    close(avg.averaged()[0].dataSync(), expect);
    avg.dispose();
    w.dispose();
  });
});
