/**
 * Adam over plain Float32Arrays, for the onnxruntime training path: dense for the head's weights,
 * lazy (the batch's rows only) for the embedding and bias tables. The same formulas, epsilon and
 * global step count as tfjs' Adam and our LazyAdam (optimizer.ts), so both paths take the same steps.
 */
export class ArrayAdam {
  learningRate: number;
  private t = 0;
  private c1 = 1;
  private c2 = 1;
  private readonly moments = new Map<Float32Array, { m: Float32Array; v: Float32Array }>();

  constructor(
    learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {
    this.learningRate = learningRate;
  }

  /** Starts a step: every update until the next call uses this step's bias correction. */
  nextStep(): void {
    this.t++;
    this.c1 = 1 - this.beta1 ** this.t;
    this.c2 = 1 - this.beta2 ** this.t;
  }

  private slots(w: Float32Array) {
    let s = this.moments.get(w);
    if (!s) {
      s = { m: new Float32Array(w.length), v: new Float32Array(w.length) };
      this.moments.set(w, s);
    }
    return s;
  }

  /** This step's settings, for the token tables' updates in WebAssembly (src/model/onnx/token-pool.ts). */
  get current(): { learningRate: number; beta1: number; beta2: number; epsilon: number; c1: number; c2: number } {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, c1: this.c1, c2: this.c2 };
  }

  /** w -= step(g) over the whole array. */
  dense(w: Float32Array, g: Float32Array): void {
    this.update(w, g, 0, 0, w.length);
  }

  /** The rows `rows[k]` of a [*, width] table take gradient rows k of `g` ([rows.length, width]). */
  rows(table: Float32Array, width: number, rows: Int32Array, g: Float32Array): void {
    for (let k = 0; k < rows.length; k++) this.update(table, g, rows[k] * width, k * width, width);
  }

  private update(w: Float32Array, g: Float32Array, at: number, from: number, n: number): void {
    const { m, v } = this.slots(w);
    const { beta1: b1, beta2: b2, epsilon: eps, c1, c2 } = this;
    const lr = this.learningRate;
    for (let j = 0; j < n; j++) {
      const gj = g[from + j];
      const p = at + j;
      const mj = b1 * m[p] + (1 - b1) * gj;
      const vj = b2 * v[p] + (1 - b2) * gj * gj;
      m[p] = mj;
      v[p] = vj;
      w[p] -= (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
    }
  }
}
