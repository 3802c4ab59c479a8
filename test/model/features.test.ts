// Feature towers: tokens from what the shop knows, and a network that learns from them, saved with the
// tokens' mean folded into each embedding (so everything that scores the saved model sees them).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../src/model/backend.js';
import { splitValidation } from '../../src/model/data.js';
import { tasteShop } from '../helpers/taste-shop.js';
import { trainRankingModel } from '../../src/model/train.js';
import { scorePairs } from '../../src/model/score.js';
import { rmse } from '../../src/model/metrics.js';
import { featureSide, historySide, productTokens, userTokens, withInteractionHistory } from '../../src/model/features.js';

before(async () => {
  await initBackend('wasm');
});

describe('feature tokens', () => {
  it('come from attributes, category and price, and a token only one entity has is dropped', () => {
    assert.deepEqual(userTokens({ age: 31, gender: 'F', occupation: 'writer', zip: '10115' }), ['age<35', 'gender=f', 'occupation=writer', 'zip:1']);
    assert.deepEqual(productTokens({ category: 'Drama', price: 12, attributes: { genres: ['Drama', 'War'], releaseDate: '1995-01-01', url: 'http://x' } }), [
      'category=drama',
      'price~2^4',
      'genres=drama',
      'genres=war',
      'decade=1990',
    ]);
    const side = featureSide([['a', 'b'], ['a'], ['c']]);
    assert.deepEqual(side.names, ['a']);
    assert.deepEqual([...side.start], [0, 1, 2, 2]);
  });

  it("of a history: each user's products, one token per product", () => {
    // (user, product): (0, 2), (1, 0), (0, 1)
    const side = historySide(Int32Array.of(0, 1, 0), Int32Array.of(2, 0, 1), 3, 4);
    assert.equal(side.numTokens, 4);
    assert.deepEqual([...side.start], [0, 2, 3, 3]);
    assert.deepEqual([...side.tokens], [2, 1, 0]);
  });
});

describe('a network with feature towers', () => {
  it("predicts a product with few ratings from its genre's, where the id embedding alone cannot", async () => {
    // 4 tastes, 4 genres; each product has ~5 ratings, a genre 100 products.
    const [users, items] = [200, 400];
    const data = tasteShop(users, items, 10, 11);
    const { train, validation } = splitValidation(data, 0.2, 5);
    const features = {
      users: featureSide(Array.from({ length: users }, () => [])),
      items: featureSide(Array.from({ length: items }, (_, i) => productTokens({ category: `genre-${i % 4}`, price: null, attributes: {} }))),
    };
    const config = { epochs: 30, ensembleSize: 1, batchSize: 64, seed: 2 };
    const plain = await trainRankingModel(train, { ...config, features: false }, { validation, engine: 'onnxruntime' });
    const withFeatures = await trainRankingModel(
      { ...train, features },
      { ...config, features: true },
      { validation: { ...validation, features }, engine: 'onnxruntime' },
    );
    // Scored from the saved network alone: the tokens are in its embeddings.
    const errorOf = (model: typeof plain.model) => rmse(scorePairs(model, validation.userIdx, validation.itemIdx), validation.ratings);
    const [without, withTokens] = [errorOf(plain.model), errorOf(withFeatures.model)];
    console.log(`# held-out RMSE: ids only ${without.toFixed(3)}, with the genre token ${withTokens.toFixed(3)}`);
    assert.ok(withTokens < without - 0.1, `${withTokens} vs ${without}`);
  });
});

describe('a network with interaction history', () => {
  it('predicts a user with few ratings better from which products they chose, pooled, than from their id alone', async () => {
    // 4 tastes; 600 users with 5 ratings each, most of their own taste: too few for an id embedding,
    // enough for the choice itself to reveal the taste (the history holds products, not stars).
    const data = tasteShop(600, 60, 5, 12, { chooseLiked: 0.7 });
    const { train, validation } = splitValidation(data, 0.2, 5);
    const config = { epochs: 30, ensembleSize: 1, batchSize: 64, seed: 2 };
    const errorOf = (model: Parameters<typeof scorePairs>[0]) => rmse(scorePairs(model, validation.userIdx, validation.itemIdx), validation.ratings);
    const plain = await trainRankingModel(train, config, { validation, engine: 'onnxruntime' });
    const features = withInteractionHistory(undefined, train);
    const withHistory = await trainRankingModel(
      { ...train, features },
      { ...config, interactionHistory: true },
      { validation: { ...validation, features }, engine: 'onnxruntime' },
    );
    const [without, withTokens] = [errorOf(plain.model), errorOf(withHistory.model)];
    console.log(`# held-out RMSE: ids only ${without.toFixed(3)}, with the interaction history ${withTokens.toFixed(3)}`);
    assert.ok(withTokens < without - 0.1, `${withTokens} vs ${without}`);
  });
});
