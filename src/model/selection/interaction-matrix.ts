// Who interacted with what, as a sparse users × products matrix (compressed rows), each entry weighted by
// how much the interaction says: a rating by its value, an event by its implied rating. The selection
// model (linear-autoencoder.ts) learns from it; its products with dense blocks are the fit's hot loops.

export interface InteractionMatrix {
  numUsers: number;
  numItems: number;
  /** User u's entries are `items[start[u] .. start[u + 1])`, ascending, with their `weights`. */
  start: Int32Array;
  items: Int32Array;
  weights: Float32Array;
}

/** The lowest rating's weight in XᵀX: a low rating still says the shopper picked the product. */
const PICKED_FLOOR = 0.2;

const ratingShare = (value: number, minRating: number, maxRating: number) => Math.min(1, Math.max(0, (value - minRating) / (maxRating - minRating)));

/**
 * An interaction's weight in XᵀX from its (implied) rating: 0.2 for the lowest to 1 for the highest, a high
 * rating saying more (on MovieLens the lists ranked best with weights growing with the rating rather than
 * equal ones; see docs/benchmarks.md).
 */
export function interactionWeight(value: number, minRating: number, maxRating: number): number {
  return PICKED_FLOOR + (1 - PICKED_FLOOR) * ratingShare(value, minRating, maxRating);
}

/** The lowest rating's weight in a shopper's own vector: next to nothing, so that only lowest ratings still rank. */
const INPUT_FLOOR = 0.01;

/**
 * An interaction's weight in the shopper's own vector: 0.01 for the lowest rating to 1 for the highest. Picking a
 * product taught the model what goes with it; what the shopper thought of it decides whether to offer more of
 * the same (a product rated lowest pulls next to nothing up; docs/benchmarks.md).
 */
export function inputWeight(value: number, minRating: number, maxRating: number): number {
  return INPUT_FLOOR + (1 - INPUT_FLOOR) * ratingShare(value, minRating, maxRating);
}

/** `x` with each interaction weight mapped to its input weight (the same rating's). */
export function asInputs(x: InteractionMatrix): InteractionMatrix {
  const floor = Math.fround(PICKED_FLOOR); // as stored, so that the lowest rating maps to exactly INPUT_FLOOR
  const weights = Float32Array.from(x.weights, (w) => INPUT_FLOOR + (1 - INPUT_FLOOR) * Math.max(0, (w - floor) / (1 - floor)));
  return { ...x, weights };
}

/** The matrix of (users[k], items[k]) with `weights[k]`; a pair given twice keeps the larger weight. */
export function interactionMatrix(
  users: ArrayLike<number>,
  items: ArrayLike<number>,
  weights: ArrayLike<number>,
  numUsers: number,
  numItems: number,
): InteractionMatrix {
  const n = users.length;
  const start = new Int32Array(numUsers + 1);
  for (let k = 0; k < n; k++) start[users[k] + 1]++;
  for (let u = 0; u < numUsers; u++) start[u + 1] += start[u];
  const order = new Int32Array(n);
  const fill = start.slice(0, numUsers);
  for (let k = 0; k < n; k++) order[fill[users[k]]++] = k;
  const outItems = new Int32Array(n);
  const outWeights = new Float32Array(n);
  const rowStart = new Int32Array(numUsers + 1);
  let at = 0;
  for (let u = 0; u < numUsers; u++) {
    const row = Array.from(order.subarray(start[u], start[u + 1])).sort((a, b) => items[a] - items[b]);
    for (const k of row) {
      if (at > rowStart[u] && outItems[at - 1] === items[k]) {
        outWeights[at - 1] = Math.max(outWeights[at - 1], weights[k]);
        continue;
      }
      outItems[at] = items[k];
      outWeights[at] = weights[k];
      at++;
    }
    rowStart[u + 1] = at;
  }
  return { numUsers, numItems, start: rowStart, items: outItems.slice(0, at), weights: outWeights.slice(0, at) };
}

/** Σ_u x_ui² for every product i: the diagonal of XᵀX. */
export function squaredColumnSums(x: InteractionMatrix): Float64Array {
  const out = new Float64Array(x.numItems);
  for (let k = 0; k < x.items.length; k++) out[x.items[k]] += x.weights[k] * x.weights[k];
  return out;
}

/** Xᵀ(X·Y) for Y [numItems × m] (row-major), one user at a time: no [numUsers × m] intermediate. */
export function gramTimes(x: InteractionMatrix, y: Float64Array, m: number): Float64Array {
  const out = new Float64Array(x.numItems * m);
  const z = new Float64Array(m);
  for (let u = 0; u < x.numUsers; u++) {
    const from = x.start[u];
    const to = x.start[u + 1];
    if (from === to) continue;
    z.fill(0);
    for (let k = from; k < to; k++) {
      const v = x.weights[k];
      const row = x.items[k] * m;
      for (let j = 0; j < m; j++) z[j] += v * y[row + j];
    }
    for (let k = from; k < to; k++) {
      const v = x.weights[k];
      const row = x.items[k] * m;
      for (let j = 0; j < m; j++) out[row + j] += v * z[j];
    }
  }
  return out;
}

/** Rows `users` of X·W for W [numItems × k]: [users.length × k]. */
export function rowsTimes(x: InteractionMatrix, w: Float32Array, k: number, users: ArrayLike<number>): Float32Array {
  const out = new Float32Array(users.length * k);
  for (let r = 0; r < users.length; r++) {
    const u = users[r];
    const at = r * k;
    for (let e = x.start[u]; e < x.start[u + 1]; e++) {
      const v = x.weights[e];
      const row = x.items[e] * k;
      for (let j = 0; j < k; j++) out[at + j] += v * w[row + j];
    }
  }
  return out;
}
