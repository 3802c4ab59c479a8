import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaselineModel, fitBaseline } from '../../src/model/baseline.js';

describe('baseline', () => {
  it('fits μ + b_u + b_i and falls back for unknown users/products', () => {
    // Additive ratings: 3 + user offset + item offset.
    const uo = [1, 0, -1];
    const io = [0.5, -0.5];
    const userIdx: number[] = [];
    const itemIdx: number[] = [];
    const ratings: number[] = [];
    for (let u = 0; u < 3; u++)
      for (let i = 0; i < 2; i++)
        for (let rep = 0; rep < 50; rep++) {
          userIdx.push(u);
          itemIdx.push(i);
          ratings.push(3 + uo[u] + io[i]);
        }
    const b = fitBaseline(
      { userIdx: Int32Array.from(userIdx), itemIdx: Int32Array.from(itemIdx), ratings: Float32Array.from(ratings), numUsers: 4, numItems: 2 },
      { regUser: 0.01, regItem: 0.01, iterations: 20 },
    );
    assert.ok(Math.abs(b.globalMean - 3) < 1e-9);
    for (let u = 0; u < 3; u++) for (let i = 0; i < 2; i++) assert.ok(Math.abs(b.predict(u, i) - (3 + uo[u] + io[i])) < 1e-3);
    // user 3 has no ratings → bias 0; unknown indices fall back to what is known.
    assert.equal(b.userBias[3], 0);
    assert.ok(Math.abs(b.predict(-1, 0) - (3 + io[0])) < 1e-3);
    assert.ok(Math.abs(b.predict(0, -1) - (3 + uo[0])) < 1e-3);
    assert.equal(b.predict(-1, -1), 3);
    // Clipping and JSON round-trip.
    const c = new BaselineModel(4.8, Float32Array.from([0.5]), Float32Array.from([0.5]));
    assert.equal(c.predict(0, 0), 5);
    const r = BaselineModel.fromJSON(JSON.parse(JSON.stringify(b.toJSON())));
    assert.equal(r.predict(1, 1), b.predict(1, 1));
  });

  it('regularisation shrinks biases of sparse users towards 0', () => {
    // Two users rate the same product 5 and 1: μ = 3, b_u = ±2 / (regUser + 1).
    const data = { userIdx: Int32Array.from([0, 1]), itemIdx: Int32Array.from([0, 0]), ratings: Float32Array.from([5, 1]), numUsers: 2, numItems: 1 };
    const weak = fitBaseline(data, { regUser: 0, regItem: 1 });
    const strong = fitBaseline(data, { regUser: 3, regItem: 1 });
    assert.ok(Math.abs(weak.userBias[0] - 2) < 1e-6);
    assert.ok(Math.abs(strong.userBias[0] - 0.5) < 1e-6);
    assert.ok(Math.abs(strong.userBias[1] + 0.5) < 1e-6);
  });
});
