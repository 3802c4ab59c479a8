/**
 * Inverted dropout: each element kept with probability 1 − rate and scaled by 1 / (1 − rate).
 *
 * WHY not tf.dropout: with a seed it draws every element through seedrandom's alea in JS and then
 * runs four more ops over the tensor, a visible share of a wasm training epoch. Here the mask is
 * drawn by the project's seeded generator (rng.ts bernoulliMask) and applied with one multiply.
 */
import * as tf from './tf.js';
import { bernoulliMask } from './rng.js';

export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number = Math.floor(Math.random() * 2 ** 31)): T {
  if (rate <= 0) return x;
  const keep = 1 - rate;
  const scale = 1 / keep;
  return tf.mul(x, tf.tensor(bernoulliMask(x.size, keep, scale, seed), x.shape, 'float32')) as T;
}
