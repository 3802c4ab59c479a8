import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mae, rankingMetrics, rmse } from '../../src/model/metrics.js';

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('metrics', () => {
  it('RMSE and MAE', () => {
    near(rmse([1, 2, 3], [1, 2, 3]), 0);
    near(rmse([2, 2, 5], [1, 3, 3]), Math.sqrt((1 + 1 + 4) / 3));
    near(mae([2, 2, 5], [1, 3, 3]), (1 + 1 + 2) / 3);
    assert.ok(Number.isNaN(rmse([], [])));
    assert.throws(() => rmse([1], [1, 2]));
  });

  it('precision, recall and NDCG @K on a hand-computed example', () => {
    // User 0: five held-out items; relevant (rating ≥ 4) = items 10, 12, 14.
    // Ranked by prediction: 11 (0.9), 10 (0.8), 13 (0.7), 12 (0.6), 14 (0.5).
    // @3: top = [11, 10, 13] → hits 1 → P = 1/3, R = 1/3,
    //     DCG = 1/log2(3), IDCG = 1 + 1/log2(3) + 1/log2(4).
    // User 1: two items, relevant = 20 only, ranked [20 (0.9), 21 (0.1)] → P = 1/2 (|top| = 2), R = 1, NDCG = 1.
    // User 2: no relevant item → skipped.
    const h = {
      userIdx: [0, 0, 0, 0, 0, 1, 1, 2],
      itemIdx: [10, 11, 12, 13, 14, 20, 21, 30],
      ratings: [5, 3, 4, 2, 4, 4, 1, 3],
      predictions: [0.8, 0.9, 0.6, 0.7, 0.5, 0.9, 0.1, 0.5],
    };
    const m = rankingMetrics(h, { k: 3, threshold: 4 });
    assert.equal(m.users, 2);
    near(m.precision, (1 / 3 + 1 / 2) / 2);
    near(m.recall, (1 / 3 + 1) / 2);
    const ndcg0 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3) + 1 / Math.log2(4));
    near(m.ndcg, (ndcg0 + 1) / 2);
  });

  it('perfect ranking gives NDCG 1; threshold is configurable; ties break by item index', () => {
    const h = { userIdx: [0, 0, 0], itemIdx: [1, 2, 3], ratings: [5, 3, 1], predictions: [3, 2, 1] };
    near(rankingMetrics(h).ndcg, 1);
    near(rankingMetrics(h, { k: 1, threshold: 3 }).precision, 1);
    near(rankingMetrics(h, { k: 3, threshold: 3 }).recall, 1);
    // All predictions equal → order by item index: [1, 2, 3]; relevant (≥ 3) = 1, 2 → P@2 = 1.
    near(rankingMetrics({ ...h, predictions: [0, 0, 0] }, { k: 2, threshold: 3 }).precision, 1);
    // Reversed predictions: only the relevant item is ranked last.
    const rev = rankingMetrics({ ...h, predictions: [1, 2, 3] }, { k: 1, threshold: 5 });
    near(rev.precision, 0);
    near(rev.recall, 0);
    near(rev.ndcg, 0);
  });
});
