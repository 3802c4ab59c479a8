// Fold-in: an embedding (and bias) for one user fitted to their few ratings against the frozen networks of
// an ensemble — the other weights untouched — so that a shopper new since the last run is ranked by the
// model at once. Plain TypeScript on the networks' arrays: a user has tens of examples, and a step over
// them is microseconds of work that a runtime call would cost more than.
import type { NetworkArrays } from './onnx/head-graphs.js';

export interface FoldInOptions {
  /** L2 on the fitted embedding and bias, per example (the training's l2). */
  l2: number;
  steps: number;
  learningRate: number;
}

export const DEFAULT_FOLD_IN: FoldInOptions = { l2: 0.1, steps: 60, learningRate: 0.08 };

/** One network, with what every fold-in against it reuses: the product side of the first layer. */
export class FrozenNetwork {
  /** E_i·W1[d:] + b1 for every product: [numItems, hidden]. */
  private readonly itemParts: Float32Array;
  /** The mean user embedding: where a fitted one starts. */
  readonly meanUser: Float32Array;

  constructor(readonly net: NetworkArrays) {
    const d = net.embeddingDim;
    const hidden = net.sizes[1];
    const w1 = net.kernels[0];
    this.itemParts = new Float32Array(net.numItems * hidden);
    for (let i = 0; i < net.numItems; i++) {
      const row = this.itemParts.subarray(i * hidden, (i + 1) * hidden);
      row.set(net.biases[0]);
      for (let k = 0; k < d; k++) {
        const e = net.itemEmbedding[i * d + k];
        const w = (d + k) * hidden;
        for (let j = 0; j < hidden; j++) row[j] += e * w1[w + j];
      }
    }
    this.meanUser = new Float32Array(d);
    for (let u = 0; u < net.numUsers; u++) for (let k = 0; k < d; k++) this.meanUser[k] += net.userEmbedding[u * d + k] / Math.max(1, net.numUsers);
  }

  /**
   * The network's output for (embedding e, bias b) and product i; with `grad`, adds ∂loss/∂(e, b) into it
   * for the loss `scale`·(y − target)².
   */
  private pass(e: Float32Array, b: number, i: number, scratch: Float32Array[], grad?: Float32Array, target = 0, scale = 0): number {
    const { net } = this;
    const d = net.embeddingDim;
    const sizes = net.sizes;
    const L = sizes.length - 1;
    const acts = scratch;
    // Layer 1: U·e + the product's part.
    const hidden = sizes[1];
    const a1 = acts[1];
    a1.set(this.itemParts.subarray(i * hidden, (i + 1) * hidden));
    const w1 = net.kernels[0];
    for (let k = 0; k < d; k++) {
      const ek = e[k];
      const w = k * hidden;
      for (let j = 0; j < hidden; j++) a1[j] += ek * w1[w + j];
    }
    for (let l = 1; l < L; l++) {
      const prev = acts[l];
      for (let j = 0; j < prev.length; j++) if (prev[j] < 0) prev[j] = 0; // relu (kept in place: its sign is the derivative)
      const out = acts[l + 1];
      out.set(net.biases[l]);
      const w = net.kernels[l];
      const width = sizes[l + 1];
      for (let j = 0; j < prev.length; j++) {
        const h = prev[j];
        if (h === 0) continue;
        for (let o = 0; o < width; o++) out[o] += h * w[j * width + o];
      }
    }
    let y = acts[L][0] + b + (net.itemBias ? net.itemBias[i] : 0);
    if (net.dotProduct) for (let k = 0; k < d; k++) y += e[k] * net.itemEmbedding[i * d + k];
    if (!grad) return y;
    const dOut = 2 * scale * (y - target);
    // Backward, from the output to e and b: grad[0..d) for e, grad[d] for b. acts[L + l] holds ∂loss/∂a_l.
    let g = acts[2 * L];
    g[0] = dOut;
    for (let l = L - 1; l >= 1; l--) {
      const width = sizes[l + 1];
      const w = net.kernels[l];
      const prev = acts[l];
      const gPrev = acts[L + l];
      for (let j = 0; j < prev.length; j++) {
        if (prev[j] <= 0) {
          gPrev[j] = 0;
          continue;
        }
        let s = 0;
        const row = j * width;
        for (let o = 0; o < width; o++) s += w[row + o] * g[o];
        gPrev[j] = s;
      }
      g = gPrev;
    }
    for (let k = 0; k < d; k++) {
      let s = 0;
      const w = k * hidden;
      for (let j = 0; j < hidden; j++) s += w1[w + j] * g[j];
      grad[k] += s + (net.dotProduct ? dOut * net.itemEmbedding[i * d + k] : 0);
    }
    if (net.userBias) grad[d] += dOut;
    return y;
  }

  /** Activations (sizes[0..L]) then gradients (sizes[1..L]) of one pass. */
  private scratch(): Float32Array[] {
    const { sizes } = this.net;
    return [...sizes, ...sizes.slice(1)].map((n) => new Float32Array(n));
  }

  /** The network's output for one product (for tests and single pairs). */
  predict(fitted: { embedding: Float32Array; bias: number }, i: number): number {
    return this.pass(fitted.embedding, fitted.bias, i, this.scratch());
  }

  /**
   * Fits (e, b) to `targets` on products `items` (model indices) by Adam on the mean squared error + L2,
   * from `start` (the user's feature vector, when the model has feature towers) or the mean user.
   */
  fit(items: Int32Array, targets: Float32Array, options: FoldInOptions, start: Float32Array | null = null): { embedding: Float32Array; bias: number } {
    const d = this.net.embeddingDim;
    const x = new Float32Array(d + 1);
    x.set(start ?? this.meanUser);
    const m = new Float32Array(d + 1);
    const v = new Float32Array(d + 1);
    const grad = new Float32Array(d + 1);
    const scratch = this.scratch();
    const n = items.length;
    const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
    for (let step = 1; step <= options.steps; step++) {
      grad.fill(0);
      const e = x.subarray(0, d);
      for (let k = 0; k < n; k++) this.pass(e, x[d], items[k], scratch, grad, targets[k], 1 / n);
      for (let k = 0; k <= d; k++) {
        const gk = grad[k] + 2 * options.l2 * x[k];
        m[k] = beta1 * m[k] + (1 - beta1) * gk;
        v[k] = beta2 * v[k] + (1 - beta2) * gk * gk;
        x[k] -= (options.learningRate * (m[k] / (1 - beta1 ** step))) / (Math.sqrt(v[k] / (1 - beta2 ** step)) + eps);
      }
    }
    return { embedding: x.slice(0, d), bias: this.net.userBias ? x[d] : 0 };
  }

  /** Scores of every product for a fitted user, added into `out` (unclipped). */
  scoreAll(fitted: { embedding: Float32Array; bias: number }, out: Float32Array, weight = 1): void {
    const scratch = this.scratch();
    for (let i = 0; i < this.net.numItems; i++) out[i] += weight * this.pass(fitted.embedding, fitted.bias, i, scratch);
  }
}

/**
 * The ensemble's mean prediction for a user fitted to (items, targets) in every network, for every product;
 * `starts[k]` is the user's feature vector in network k (null: none). With no items the user is scored
 * from their feature vectors alone.
 */
export function foldInScores(
  networks: FrozenNetwork[],
  items: Int32Array,
  targets: Float32Array,
  options: FoldInOptions = DEFAULT_FOLD_IN,
  starts?: (Float32Array | null)[],
): Float32Array {
  const out = new Float32Array(networks[0].net.numItems);
  networks.forEach((network, k) => {
    const start = starts?.[k] ?? null;
    const fitted = items.length > 0 ? network.fit(items, targets, options, start) : { embedding: start ?? network.meanUser, bias: 0 };
    network.scoreAll(fitted, out, 1 / networks.length);
  });
  return out;
}

/** The mean of a user's token rows in `table` ([tokens, d]), or null when none of the tokens is known. */
export function featureVector(table: Float32Array, d: number, tokenIds: number[]): Float32Array | null {
  if (tokenIds.length === 0) return null;
  const out = new Float32Array(d);
  for (const t of tokenIds) for (let k = 0; k < d; k++) out[k] += table[t * d + k] / tokenIds.length;
  return out;
}
