/** Optimizer construction and learning-rate changes, from the TrainingConfig. */
import * as tf from './tf.js';
import type { OptimizerName } from './config.js';

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    default:
      throw new Error(`Unknown optimizer ${String(name)}`);
  }
}

/**
 * Change the learning rate of a tfjs optimizer in place. tfjs keeps it in a protected field and
 * reads it on every step; SGD additionally caches it as a scalar tensor (`c`).
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** One embedding-like table's sparse gradient: `gradient[k]` belongs to row `indices[k]`. */
export interface SparseGradient {
  variable: tf.Variable;
  /** int32 [k], UNIQUE row ids (duplicates must already be summed into one gradient row). */
  indices: tf.Tensor1D;
  /** [k, ...variable.shape.slice(1)] */
  gradient: tf.Tensor;
}

/**
 * Lazy ("sparse") Adam for embedding and bias tables, as TF Addons' LazyAdam / PyTorch's SparseAdam.
 *
 * WHY it exists: tfjs' Adam treats the gradient of an embedding lookup as a dense [vocab, dim]
 * tensor that is zero on the rows not in the batch, and still updates EVERY row each step: the
 * decaying first moment keeps moving rows the batch never touched, and their second moment decays
 * so rare users/products get ever larger steps. Here only the rows in the batch are read and written:
 * their moments are updated with their gradient and the row takes the Adam step; every other row,
 * and its moments, stay as they are.
 *
 * Bias correction uses ONE global step counter (incremented per `applySparseGradients` call), as
 * TF's LazyAdam and PyTorch's SparseAdam do, not per-row counters: a row's moments then also stay
 * un-decayed while it is absent, which is the "lazy" semantics. When every row of a table is in
 * every batch this is exactly tfjs' Adam (same formula, same epsilon) — see test/model/optimizer.test.ts.
 */
export class LazyAdam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private step = 0;
  private readonly slots = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = tf.backend().epsilon()) {
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  get iterations(): number {
    return this.step;
  }

  applySparseGradients(grads: SparseGradient[]): void {
    this.step++;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    tf.tidy(() => {
      for (const { variable, indices, gradient } of grads) {
        let s = this.slots.get(variable);
        if (!s) {
          s = tf.tidy(() => ({ m: tf.zerosLike(variable).variable(false), v: tf.zerosLike(variable).variable(false) }));
          this.slots.set(variable, s);
        }
        const at = tf.reshape(indices, [-1, 1]);
        const m = tf.add(tf.mul(tf.gather(s.m, indices), b1), tf.mul(gradient, 1 - b1));
        const v = tf.add(tf.mul(tf.gather(s.v, indices), b2), tf.mul(tf.square(gradient), 1 - b2));
        const step = tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps)), -this.learningRate);
        const w = tf.add(tf.gather(variable, indices), step);
        s.m.assign(tf.tensorScatterUpdate(s.m, at, m));
        s.v.assign(tf.tensorScatterUpdate(s.v, at, v));
        variable.assign(tf.tensorScatterUpdate(variable, at, w));
      }
    });
  }

  dispose(): void {
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    this.slots.clear();
  }
}

/**
 * Unique ids of `ids[0..size)` in first-seen order, and each position's index into them
 * (`ids[k] = unique[local[k]]`). `stamp` is scratch space of at least vocabulary size.
 */
export function uniqueIds(ids: Int32Array, size: number, stamp: Int32Array): { unique: Int32Array; local: Int32Array } {
  const unique = new Int32Array(size);
  const local = new Int32Array(size);
  let n = 0;
  for (let k = 0; k < size; k++) {
    const id = ids[k];
    let slot = stamp[id] - 1; // stamp holds slot + 1 for ids seen in this call
    if (slot < 0 || slot >= n || unique[slot] !== id) {
      slot = n++;
      unique[slot] = id;
      stamp[id] = slot + 1;
    }
    local[k] = slot;
  }
  return { unique: unique.subarray(0, n), local };
}

/**
 * Exponential moving average of the weights (Polyak averaging), kept beside the trained variables:
 * the averaged weights are what gets validated and kept. Training with dropout is noisy; the
 * average of the recent iterates generalises better than the last one. As tf.train's
 * ExponentialMovingAverage with num_updates, the decay starts small, min(decay, (1 + t) / (10 + t)),
 * so the average is not dominated by the initial weights.
 */
export class WeightAverage {
  private readonly vars: tf.Variable[];
  private readonly shadows: tf.Variable[];
  private updates = 0;

  constructor(
    vars: tf.Variable[],
    readonly decay: number,
  ) {
    this.vars = vars;
    this.shadows = vars.map((v) => tf.tidy(() => tf.clone(v).variable(false)));
  }

  update(): void {
    this.updates++;
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    tf.tidy(() => {
      this.vars.forEach((v, k) => {
        const s = this.shadows[k];
        s.assign(tf.add(tf.mul(s, d), tf.mul(v, 1 - d)));
      });
    });
  }

  /** The averaged values, in the order of the variables given to the constructor. */
  averaged(): tf.Variable[] {
    return this.shadows;
  }

  dispose(): void {
    tf.dispose(this.shadows);
  }
}
