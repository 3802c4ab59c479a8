// A product nobody has interacted with takes the mean vector of the products sharing its tokens, so shoppers who
// pick its like get a pick score for it; products with interactions, or without a token anyone shares, keep theirs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featureSide } from '../../../src/model/features.js';
import { withColdProductVectors } from '../../../src/model/selection/cold-products.js';
import { interactionMatrix } from '../../../src/model/selection/interaction-matrix.js';
import { SelectionModel } from '../../../src/model/selection/linear-autoencoder.js';

// Products 0–3 were picked; 4 (a book, like 0 and 1; cheap, like 2) and 5 (a lamp, like nothing) were not.
const items = featureSide([
  ['category=book', 'price~2^3'],
  ['category=book'],
  ['category=toy', 'price~2^1'],
  ['category=toy'],
  ['category=book', 'price~2^1'],
  ['category=lamp'],
]);
const x = interactionMatrix([0, 0, 1, 1], [0, 1, 2, 3], [1, 1, 1, 1], 2, 6);
const rank = 4;
const vectors = Float32Array.from({ length: 6 * rank }, (_, k) => (k < 4 * rank ? 1 + k : 0));
const model = new SelectionModel(6, [{ width: rank, inputScale: new Float32Array(6).fill(0.5) }], vectors);
const row = (m: SelectionModel, i: number) => Array.from(m.vectors.subarray(i * rank, (i + 1) * rank));

describe('products without interactions', () => {
  it("take the mean of their tokens' mean vectors", () => {
    const filled = withColdProductVectors(model, x, items);
    // category=book: products 0 and 1; price~2^1: product 2. The lamp shares no token anyone kept.
    const book = row(model, 0).map((v, c) => (v + row(model, 1)[c]) / 2);
    const cheap = row(model, 2);
    assert.deepEqual(
      row(filled, 4),
      book.map((v, c) => (v + cheap[c]) / 2),
    );
    assert.deepEqual(row(filled, 5), [0, 0, 0, 0]);
    for (const i of [0, 1, 2, 3]) assert.deepEqual(row(filled, i), row(model, i));
    assert.deepEqual(filled.parts, model.parts);
    // The shopper of books now gets a pick score for the new book.
    const reader = filled.userVector([0, 1], [1, 1]);
    assert.ok(filled.scores(reader)[4] > 0 && model.scores(reader)[4] === 0);
  });

  it('leave the model as it is when every product was picked', () => {
    const all = interactionMatrix([0, 0, 0, 1, 1, 1], [0, 1, 4, 2, 3, 5], [1, 1, 1, 1, 1, 1], 2, 6);
    assert.equal(withColdProductVectors(model, all, items), model);
  });
});
