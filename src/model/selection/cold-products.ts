// A product nobody has interacted with has no vector from the interactions, so no pick score: a blend that ranks
// by pick scores would never show it. With feature towers on, such a product takes the mean vector of the products
// that share its tokens (category, genres, price bucket…), so it reaches the shoppers who pick its like.
import type { FeatureSide } from '../features.js';
import type { InteractionMatrix } from './interaction-matrix.js';
import { SelectionModel } from './linear-autoencoder.js';

/** `model` with each product without interactions in `x` given the mean of its tokens' mean vectors (unchanged without tokens). */
export function withColdProductVectors(model: SelectionModel, x: InteractionMatrix, items: FeatureSide): SelectionModel {
  const { numItems, rank } = model;
  const picked = new Uint8Array(numItems);
  for (const i of x.items) picked[i] = 1;
  if (rank === 0 || picked.every((p) => p === 1)) return model;
  const sums = new Float64Array(items.numTokens * rank);
  const counts = new Int32Array(items.numTokens);
  const tokensOf = (i: number) => (i + 1 < items.start.length ? items.tokens.subarray(items.start[i], items.start[i + 1]) : new Int32Array(0));
  for (let i = 0; i < numItems; i++) {
    if (!picked[i]) continue;
    for (const t of tokensOf(i)) {
      counts[t]++;
      for (let c = 0; c < rank; c++) sums[t * rank + c] += model.vectors[i * rank + c];
    }
  }
  const vectors = Float32Array.from(model.vectors);
  for (let i = 0; i < numItems; i++) {
    if (picked[i]) continue;
    const tokens = Array.from(tokensOf(i)).filter((t) => counts[t] > 0);
    if (tokens.length === 0) continue;
    for (let c = 0; c < rank; c++) {
      let v = 0;
      for (const t of tokens) v += sums[t * rank + c] / counts[t];
      vectors[i * rank + c] = v / tokens.length;
    }
  }
  return new SelectionModel(numItems, model.parts, vectors);
}
