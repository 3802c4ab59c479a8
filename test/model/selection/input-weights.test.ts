// A shopper's selection vector is built from their input weights: a product they rated lowest teaches the model
// what goes with it (XᵀX) but pulls next to nothing up for them.
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

  it('run from 0.01 for the lowest rating to 1 for the highest, while XᵀX weighs every pick', () => {
    const expected = [0.01, 0.2575, 0.505, 0.7525, 1];
    [1, 2, 3, 4, 5].forEach((r, k) => assert.ok(Math.abs(inputWeight(r, 1, 5) - expected[k]) < 1e-12, `rating ${r}`));
    assert.ok(Math.abs(interactionWeight(1, 1, 5) - 0.2) < 1e-12 && interactionWeight(5, 1, 5) === 1);
  });

  it("build every shopper's vector, on the kernel path as by hand", async () => {
    const vectors = (await UserVectors.create(model, x)).of([0, 1, 2]);
    const k = model.rank;
    // User 0's vector is product 5's and a hundredth of product 3's; user 1's a hundredth of product 3's.
    const near = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
      for (let j = 0; j < k; j++) assert.ok(Math.abs(a[j] - b[j]) < 1e-5, `${what}, component ${j}`);
    };
    near(vectors.subarray(0, k), model.userVector([3, 5], [0.01, 1]), 'user 0');
    near(vectors.subarray(k, 2 * k), model.userVector([3], [0.01]), 'user 1');
    assert.ok(
      vectors.subarray(k, 2 * k).some((v) => v !== 0),
      'a shopper of lowest ratings only still has a direction',
    );
    const own = { items: x.items.subarray(x.start[2], x.start[3]), weights: x.weights.subarray(x.start[2], x.start[3]) };
    const byHand = model.userVector(
      own.items,
      Array.from(own.weights, (w) => 0.01 + 0.99 * ((w - 0.2) / 0.8)),
    );
    near(vectors.subarray(2 * k, 3 * k), byHand, 'user 2');
    assert.ok(byHand.some((v) => v !== 0));
  });
});
