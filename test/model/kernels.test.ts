/** The kernels we add to / work around in the wasm backend, checked against the cpu backend. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/model/tf.js';
import { initBackend } from '../../src/model/backend.js';
import { dense, denseReference } from '../../src/model/dense.js';
import { makeRng, uniform } from '../../src/model/rng.js';

function closeArrays(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) {
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) {
    assert.ok(Math.abs(a[k] - b[k]) <= tol * (1 + Math.abs(b[k])), `index ${k}: ${a[k]} vs ${b[k]}`);
  }
}

/** Run f on a backend and return plain arrays. */
async function on<T>(backend: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await initBackend(backend);
  assert.equal(tf.getBackend(), backend);
  return f();
}

describe('wasm kernels', () => {
  before(async () => {
    assert.equal(await initBackend('wasm'), 'wasm');
  });

  it('initBackend is idempotent', async () => {
    const a = await initBackend('wasm');
    const b = await initBackend('wasm');
    assert.equal(a, 'wasm');
    assert.equal(b, 'wasm');
    assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm'));
  });

  it('UnsortedSegmentSum matches cpu (duplicates, empty and out-of-range segments)', async () => {
    const rng = makeRng(7);
    const rows = 300;
    const inner = 5;
    const x = uniform(rows * inner, 1, rng);
    const ids = Int32Array.from({ length: rows }, () => Math.floor(rng() * 23) - 1); // includes −1 (dropped)
    const run = () => tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor2d(x, [rows, inner]), tf.tensor1d(ids, 'int32'), 20).dataSync()));
    const wasm = await on('wasm', run);
    const cpu = await on('cpu', run);
    closeArrays(wasm, cpu, 1e-5);
    const run1d = () => tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([0, 2, 0, 2], 'int32'), 3).dataSync()));
    assert.deepEqual(await on('wasm', run1d), [4, 0, 6]);
    assert.deepEqual(await on('cpu', run1d), [4, 0, 6]);
    await initBackend('wasm');
  });

  it('gather gradient (embedding backward) matches cpu', async () => {
    const rng = makeRng(3);
    const table = uniform(40 * 8, 1, rng);
    const ids = Int32Array.from({ length: 64 }, () => Math.floor(rng() * 40));
    const run = () =>
      tf.tidy(() => {
        const t = tf.tensor2d(table, [40, 8]);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.gather(v, tf.tensor1d(ids, 'int32')))))(t);
        return Array.from(g.dataSync());
      });
    closeArrays(await on('wasm', run), await on('cpu', run), 1e-4);
    await initBackend('wasm');
  });

  it('GatherV2 (whole slices) equals cpu on every axis, index shape and dtype; the shipped kernel still serves batchDims', async () => {
    const rng = makeRng(5);
    const table = uniform(6 * 5 * 4, 1, rng);
    const ids = Int32Array.from({ length: 9 }, () => Math.floor(rng() * 5));
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor3d(table, [6, 5, 4]);
        const results = [
          tf.gather(
            x,
            tf.tensor1d(
              ids.map((i) => i % 6),
              'int32',
            ),
          ), // axis 0: embedding rows
          tf.gather(x, tf.tensor2d(ids.slice(0, 8), [2, 4], 'int32'), 1), // middle axis, 2-D indices
          tf.gather(
            x,
            tf.tensor1d(
              ids.map((i) => i % 4),
              'int32',
            ),
            -1,
          ), // last axis: single elements
          tf.gather(tf.tensor1d(table.slice(0, 6)), tf.tensor1d([5, 0, 5], 'int32')), // a bias vector
          tf.gather(
            tf.tensor2d(
              Int32Array.from({ length: 12 }, (_, k) => k * 3),
              [6, 2],
              'int32',
            ),
            tf.tensor1d([2, 2, 0], 'int32'),
          ),
          tf.gather(x, tf.tensor1d([], 'int32')),
          tf.gather(
            tf.tensor2d(table.slice(0, 12), [3, 4]),
            tf.tensor2d(
              [
                [0, 3],
                [2, 1],
                [1, 1],
              ],
              [3, 2],
              'int32',
            ),
            1,
            1,
          ), // batchDims
        ];
        return results.map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
      });
    assert.deepEqual(await on('wasm', run), await on('cpu', run));
    await initBackend('wasm');
    const tensors = tf.memory().numTensors;
    assert.throws(() => tf.tidy(() => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([0, 2], 'int32'))), /index value 2 is not in \[0, 1\]/);
    assert.equal(tf.memory().numTensors, tensors);
  });

  for (const activation of ['relu', 'linear'] as const) {
    it(`dense (${activation}) custom backward equals the default gradients, wasm and cpu`, async () => {
      const rng = makeRng(11);
      const x = uniform(33 * 12, 1, rng);
      const w = uniform(12 * 7, 1, rng);
      const b = uniform(7, 0.5, rng);
      const up = uniform(33 * 7, 1, rng); // upstream weights so that dy is not all ones
      const grads = (f: typeof dense) => () =>
        tf.tidy(() => {
          const loss = (xt: tf.Tensor, wt: tf.Tensor, bt: tf.Tensor) =>
            tf.sum(tf.mul(f(xt as tf.Tensor2D, wt as tf.Tensor2D, bt as tf.Tensor1D, activation), tf.tensor2d(up, [33, 7])));
          const gs = tf.grads(loss)([tf.tensor2d(x, [33, 12]), tf.tensor2d(w, [12, 7]), tf.tensor1d(b)]);
          const y = f(tf.tensor2d(x, [33, 12]), tf.tensor2d(w, [12, 7]), tf.tensor1d(b), activation);
          return [y, ...gs].map((t) => Array.from(t.dataSync()));
        });
      const cpuRef = await on('cpu', grads(denseReference));
      for (const backend of ['wasm', 'cpu'] as const) {
        const got = await on(backend, grads(dense));
        got.forEach((arr, k) => closeArrays(arr, cpuRef[k], 1e-4));
      }
      await initBackend('wasm');
    });
  }
});
