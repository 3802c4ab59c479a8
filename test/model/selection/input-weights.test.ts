// A shopper's selection vector is built from their input weights: a product they rated lowest teaches the model
// what goes with it (XᵀX) but pulls nothing up for them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { denseOps, type DenseOps } from '../../../src/model/selection/dense-ops.js';
import { inputWeight, interactionMatrix, interactionWeight } from '../../../src/model/selection/interaction-matrix.js';
import { gramSubspace, meanDiagonal, selectionModel, type SelectionModel } from '../../../src/model/selection/linear-autoencoder.js';
import { UserVectors } from '../../../src/model/selection/sparse-products.js';
import { runtimeFor } from '../../../src/model/stepper.js';
import { makeRng } from '../../../src/model/rng.js';

// 60 shoppers × 12 products; user 0 rated product 3 lowest and product 5 highest, user 1 only product 3 (lowest).
const users: number[] = [];
const items: number[] = [];
const ratings: number[] = [];
const rng = makeRng(5);
for (let u = 2; u < 60; u++)
  for (let i = 0; i < 12; i++)
    if (rng() < 0.4) {
      users.push(u);
      items.push(i);
      ratings.push(1 + Math.floor(rng() * 5));
    }
users.push(0, 0, 1);
items.push(3, 5, 3);
ratings.push(1, 5, 1);
const x = interactionMatrix(
  users,
  items,
  Float32Array.from(ratings, (r) => interactionWeight(r, 1, 5)),
  60,
  12,
);

describe('input weights', () => {
  let ops: DenseOps;
  let model: SelectionModel;
  before(async () => {
    ops = await denseOps(await runtimeFor('auto'), 1);
    const subspace = await gramSubspace(x, 8, ops, 1);
    model = await selectionModel(subspace, { dropout: 0.25, lambda: 2 * meanDiagonal(subspace) }, ops);
  });
  after(() => ops.release());

  it('run from 0 for the lowest rating to 1 for the highest, while XᵀX weighs every pick', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((r) => inputWeight(r, 1, 5)),
      [0, 0.25, 0.5, 0.75, 1],
    );
    assert.ok(Math.abs(interactionWeight(1, 1, 5) - 0.2) < 1e-12 && interactionWeight(5, 1, 5) === 1);
  });

  it("build every shopper's vector, on the kernel path as by hand", async () => {
    const vectors = (await UserVectors.create(model, x)).of([0, 1, 2]);
    const k = model.rank;
    // User 0's vector is product 5's alone; user 1's is zero.
    const only5 = model.userVector([5], [1]);
    for (let j = 0; j < k; j++) assert.ok(Math.abs(vectors[j] - only5[j]) < 1e-5, `user 0, component ${j}`);
    assert.ok(vectors.subarray(k, 2 * k).every((v) => v === 0));
    const own = { items: x.items.subarray(x.start[2], x.start[3]), weights: x.weights.subarray(x.start[2], x.start[3]) };
    const byHand = model.userVector(
      own.items,
      Array.from(own.weights, (w) => (w - 0.2) / 0.8),
    );
    for (let j = 0; j < k; j++) assert.ok(Math.abs(vectors[2 * k + j] - byHand[j]) < 1e-4, `user 2, component ${j}`);
    assert.ok(byHand.some((v) => v !== 0));
  });
});
