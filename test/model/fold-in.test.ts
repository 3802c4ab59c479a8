// Fold-in against a frozen network: its forward pass is the network's, and fitting a user from their
// ratings alone recovers what the trained model predicts for them.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../src/model/backend.js';
import type { RatingData } from '../../src/model/data.js';
import { tasteShop } from '../helpers/taste-shop.js';
import { trainRankingModel } from '../../src/model/train.js';
import { scorePairs } from '../../src/model/score.js';
import { networkArrays } from '../../src/model/onnx/onnx-scorer.js';
import { FrozenNetwork, foldInScores, DEFAULT_FOLD_IN } from '../../src/model/fold-in.js';
import { rmse } from '../../src/model/metrics.js';

/** Users of 4 tastes: a user rates products of their taste high (4.5 to 5), the others low (1 to 2), in halves. */
const noisyTastes = (users: number, items: number, perUser: number) =>
  tasteShop(users, items, perUser, 7, { rating: (liked, rng) => Math.round((liked ? 4.5 + rng() * 0.5 : 1 + rng()) * 2) / 2 });

let model: Awaited<ReturnType<typeof trainRankingModel>>['model'];
let data: RatingData;
before(async () => {
  await initBackend('wasm');
  data = noisyTastes(200, 80, 30);
  ({ model } = await trainRankingModel(data, { epochs: 15, ensembleSize: 2, batchSize: 128, seed: 3 }));
});

describe('fold-in', () => {
  it('predicts what the network predicts for a trained user from their embedding and bias', () => {
    const arrays = model.members.map(networkArrays);
    const u = 17;
    const items = Int32Array.from({ length: 80 }, (_, i) => i);
    const expected = scorePairs(model.members[0], new Int32Array(80).fill(u), items);
    const net = new FrozenNetwork(arrays[0]);
    const d = arrays[0].embeddingDim;
    const trained = { embedding: arrays[0].userEmbedding.slice(u * d, (u + 1) * d), bias: arrays[0].userBias![u] };
    for (let i = 0; i < 80; i++) {
      const ours = Math.min(5, Math.max(1, net.predict(trained, i)));
      assert.ok(Math.abs(ours - expected[i]) < 1e-4, `product ${i}: ${ours} vs ${expected[i]}`);
    }
  });

  it("fits a user from their ratings alone: their taste's products on top, close to the trained model's predictions", () => {
    const networks = model.members.map((m) => new FrozenNetwork(networkArrays(m)));
    const u = 42; // taste 2
    const rows = Array.from(data.userIdx.keys()).filter((k) => data.userIdx[k] === u);
    const items = Int32Array.from(rows, (k) => data.itemIdx[k]);
    const targets = Float32Array.from(rows, (k) => data.ratings[k]);
    // Only the first 8 ratings, as a fresh shopper has.
    const started = performance.now();
    const scores = foldInScores(networks, items.subarray(0, 8), targets.subarray(0, 8), DEFAULT_FOLD_IN);
    const ms = performance.now() - started;
    const unrated = Array.from({ length: 80 }, (_, i) => i).filter((i) => !items.subarray(0, 8).includes(i));
    const top = unrated.sort((a, b) => scores[b] - scores[a]).slice(0, 10);
    assert.ok(top.filter((i) => i % 4 === u % 4).length >= 8, `top 10: ${top}`);
    // Its predictions of the user's other ratings are about as good as the trained embedding's.
    const rest = Array.from({ length: items.length - 8 }, (_, k) => k + 8);
    const folded = rmse(
      rest.map((k) => Math.min(5, Math.max(1, scores[items[k]]))),
      rest.map((k) => targets[k]),
    );
    const trained = rmse(
      Array.from(
        scorePairs(
          model,
          new Int32Array(rest.length).fill(u),
          Int32Array.from(rest, (k) => items[k]),
        ),
      ),
      rest.map((k) => targets[k]),
    );
    // Before fitting: the mean user's embedding.
    const start = new Float32Array(80);
    for (const network of networks) network.scoreAll({ embedding: network.meanUser, bias: 0 }, start, 1 / networks.length);
    const unfitted = rmse(
      rest.map((k) => Math.min(5, Math.max(1, start[items[k]]))),
      rest.map((k) => targets[k]),
    );
    console.log(
      `# fold-in from 8 ratings: RMSE ${folded.toFixed(3)} on the user's other ${rest.length} (mean user ${unfitted.toFixed(3)}, trained on all 30 ${trained.toFixed(3)}); ${ms.toFixed(1)} ms for 2 networks`,
    );
    assert.ok(folded < 0.6 * unfitted, `fold-in ${folded} vs the mean user ${unfitted}`);
  });
});
