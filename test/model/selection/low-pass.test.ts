// The low-pass filter scores as its formula says (checked against ml-matrix's SVD of the normalised matrix), joins
// the autoencoder as one model whose scores add, and survives the artifact folder.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { denseOps, type DenseOps } from '../../../src/model/selection/dense-ops.js';
import { asInputs, interactionMatrix, interactionWeight } from '../../../src/model/selection/interaction-matrix.js';
import { gramSubspace, meanDiagonal, selectionModel, SelectionModel } from '../../../src/model/selection/linear-autoencoder.js';
import { lowPassModel } from '../../../src/model/selection/low-pass.js';
import { loadSelection, saveSelection } from '../../../src/model/selection/selection-artifacts.js';
import { UserVectors } from '../../../src/model/selection/sparse-products.js';
import { runtimeFor } from '../../../src/model/stepper.js';
import { makeRng } from '../../../src/model/rng.js';

const USERS = 50;
const ITEMS = 12;
const users: number[] = [];
const items: number[] = [];
const ratings: number[] = [];
const rng = makeRng(9);
for (let u = 0; u < USERS; u++)
  for (let i = 0; i < ITEMS; i++)
    if (rng() < 0.35 + 0.03 * i) {
      users.push(u);
      items.push(i);
      ratings.push(1 + Math.floor(rng() * 5));
    }
const x = interactionMatrix(
  users,
  items,
  Float32Array.from(ratings, (r) => interactionWeight(r, 1, 5)),
  USERS,
  ITEMS,
);
const inputs = asInputs(x);
const rowOf = (m: typeof x, u: number) => ({ items: m.items.subarray(m.start[u], m.start[u + 1]), weights: m.weights.subarray(m.start[u], m.start[u + 1]) });

/** x_u·D^-½·V·Vᵀ·D^½ with V the top `k` right singular vectors of D_u^-½·X·D_i^-½, all dense. */
function byFormula(k: number): number[][] {
  const dense = Matrix.zeros(USERS, ITEMS);
  for (let u = 0; u < USERS; u++) for (let e = x.start[u]; e < x.start[u + 1]; e++) dense.set(u, x.items[e], x.weights[e]);
  const du = dense.sum('row');
  const di = dense.sum('column');
  const normalized = dense.clone();
  for (let u = 0; u < USERS; u++) for (let i = 0; i < ITEMS; i++) normalized.set(u, i, dense.get(u, i) / Math.sqrt(du[u] * di[i]));
  const v = new SingularValueDecomposition(normalized).rightSingularVectors.subMatrix(0, ITEMS - 1, 0, k - 1);
  const filter = Matrix.zeros(ITEMS, ITEMS);
  for (let j = 0; j < ITEMS; j++)
    for (let i = 0; i < ITEMS; i++) {
      let dot = 0;
      for (let c = 0; c < k; c++) dot += v.get(j, c) * v.get(i, c);
      filter.set(j, i, (dot * Math.sqrt(di[i])) / Math.sqrt(di[j]));
    }
  return Array.from({ length: USERS }, (_, u) => {
    const row = rowOf(inputs, u);
    return Array.from({ length: ITEMS }, (_, i) => {
      let s = 0;
      for (let e = 0; e < row.items.length; e++) s += row.weights[e] * filter.get(row.items[e], i);
      return s;
    });
  });
}

describe('the low-pass filter', () => {
  let ops: DenseOps;
  let autoencoder: SelectionModel;
  let lowPass: SelectionModel;
  before(async () => {
    ops = await denseOps(await runtimeFor('auto'), 1);
    const subspace = await gramSubspace(x, 8, ops, 1);
    autoencoder = await selectionModel(subspace, { dropout: 0.25, lambda: 2 * meanDiagonal(subspace) }, ops);
    lowPass = await lowPassModel(x, 8, ops, 3);
  });
  after(() => ops.release());

  it("scores each user's products as projected on the normalised matrix's top singular vectors", () => {
    assert.equal(lowPass.rank, 8);
    const expected = byFormula(8);
    for (let u = 0; u < USERS; u++) {
      const row = rowOf(inputs, u);
      const scores = lowPass.scores(lowPass.userVector(row.items, row.weights));
      for (let i = 0; i < ITEMS; i++) assert.ok(Math.abs(scores[i] - expected[u][i]) < 1e-4, `user ${u}, product ${i}: ${scores[i]} vs ${expected[u][i]}`);
    }
    // Fewer dimensions keep fewer tastes: the rank-4 filter is not the rank-8 one.
    const coarse = byFormula(4);
    assert.ok(expected.some((row, u) => row.some((s, i) => Math.abs(s - coarse[u][i]) > 1e-3)));
  });

  it('joins the autoencoder as one model whose scores are the weighted sum, on the kernel path as by hand', async () => {
    const joined = SelectionModel.joined([
      { model: autoencoder, weight: 1 },
      { model: lowPass, weight: 0.7 },
    ]);
    assert.equal(joined.rank, autoencoder.rank + lowPass.rank);
    const vectors = (await UserVectors.create(joined, x)).of([0, 7, 31]);
    [0, 7, 31].forEach((u, r) => {
      const row = rowOf(inputs, u);
      const byHand = joined.userVector(row.items, row.weights);
      for (let j = 0; j < joined.rank; j++) assert.ok(Math.abs(vectors[r * joined.rank + j] - byHand[j]) < 1e-5, `user ${u}, component ${j}`);
      const scores = joined.scores(byHand);
      const a = autoencoder.scores(autoencoder.userVector(row.items, row.weights));
      const b = lowPass.scores(lowPass.userVector(row.items, row.weights));
      for (let i = 0; i < ITEMS; i++) assert.ok(Math.abs(scores[i] - (a[i] + 0.7 * b[i])) < 1e-5, `user ${u}, product ${i}`);
    });
  });

  it("is saved and loaded with the run's artifacts, and a folder of the one-block format still loads", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'low-pass-'));
    try {
      const joined = SelectionModel.joined([
        { model: autoencoder, weight: 1 },
        { model: lowPass, weight: 0.7 },
      ]);
      const everyone = Array.from({ length: USERS }, (_, u) => u);
      const blend = { pick: 1.5, rating: 0.2, ratingMean: 3.5, seen: null, offset: -2 };
      await saveSelection(dir, { model: joined, userVectors: joined.userVectors(inputs, everyone), numUsers: USERS, blend });
      const loaded = (await loadSelection(dir))!;
      assert.deepEqual(
        loaded.model.parts.map((p) => p.width),
        [autoencoder.rank, lowPass.rank],
      );
      assert.deepEqual(
        Array.from(loaded.model.scores(loaded.userVectors.subarray(0, joined.rank))),
        Array.from(joined.scores(joined.userVector(rowOf(inputs, 0).items, rowOf(inputs, 0).weights))),
      );
      assert.deepEqual(loaded.blend, blend);

      // Format 1: one block, 1/Λ first.
      const { inputScale } = autoencoder.parts[0];
      const userVectors = autoencoder.userVectors(inputs, everyone);
      const bytes = [inputScale, autoencoder.vectors, userVectors].map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
      await fs.writeFile(path.join(dir, 'selection.bin'), Buffer.concat(bytes));
      await fs.writeFile(
        path.join(dir, 'selection.json'),
        JSON.stringify({ formatVersion: 1, numItems: ITEMS, numUsers: USERS, rank: autoencoder.rank, blend }),
      );
      const old = (await loadSelection(dir))!;
      assert.equal(old.model.parts.length, 1);
      assert.deepEqual(
        Array.from(old.model.scores(old.userVectors.subarray(0, autoencoder.rank))),
        Array.from(autoencoder.scores(userVectors.subarray(0, autoencoder.rank))),
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
