/**
 * The ranking head: Dense(layerSizes[0], relu) → … → Dense(1) over the concatenated embeddings.
 * Weights are plain tf.Variables; the math lives in dense.ts (fast backward on wasm).
 */
import * as tf from './tf.js';
import { dense } from './dense.js';
import { dropout as applyDropout } from './dropout.js';
import { glorotUniform, type Rng } from './rng.js';
import { makeVariable } from './variables.js';

export interface DenseWeights {
  kernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

export class RankingHead {
  readonly layers: DenseWeights[];
  readonly sizes: number[]; // input width first, then every layer's width (last = 1)

  constructor(opts: {
    inputDim: number;
    layerSizes: number[];
    rng?: Rng;
    outputBiasInit?: number;
    weights?: { kernel: Float32Array; bias: Float32Array }[];
  }) {
    this.sizes = [opts.inputDim, ...opts.layerSizes, 1];
    const rng = opts.rng ?? Math.random;
    this.layers = [];
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const fanIn = this.sizes[l];
      const fanOut = this.sizes[l + 1];
      const given = opts.weights?.[l];
      const kernel = given?.kernel ?? glorotUniform(fanIn, fanOut, rng);
      const bias = given?.bias ?? new Float32Array(fanOut);
      if (!given && l + 2 === this.sizes.length && opts.outputBiasInit) bias.fill(opts.outputBiasInit);
      this.layers.push({
        kernel: makeVariable<tf.Rank.R2>(kernel, [fanIn, fanOut]),
        bias: makeVariable<tf.Rank.R1>(bias, [fanOut]),
      });
    }
  }

  /** x: [batch, inputDim] → [batch]. With `dropout` (training), dropout after every hidden relu. */
  apply(x: tf.Tensor2D, dropout?: { rate: number; seed?: number }): tf.Tensor1D {
    let h = x;
    this.layers.forEach((layer, l) => {
      const last = l === this.layers.length - 1;
      h = dense(h, layer.kernel as tf.Tensor2D, layer.bias as tf.Tensor1D, last ? 'linear' : 'relu');
      if (!last && dropout && dropout.rate > 0) {
        const seed = dropout.seed === undefined ? undefined : dropout.seed + 7919 * (l + 1);
        h = applyDropout(h, dropout.rate, seed);
      }
    });
    return tf.reshape(h, [-1]) as tf.Tensor1D;
  }

  /** Everything after the first layer's pre-activation: relu(z1) → … → [batch]. */
  applyFromFirstPreActivation(z1: tf.Tensor2D): tf.Tensor1D {
    let h = tf.relu(z1) as tf.Tensor2D;
    for (let l = 1; l < this.layers.length; l++) {
      const last = l === this.layers.length - 1;
      const { kernel, bias } = this.layers[l];
      h = tf.fused.matMul({ a: h, b: kernel as tf.Tensor2D, bias, activation: last ? 'linear' : 'relu' }) as tf.Tensor2D;
    }
    return tf.reshape(h, [-1]) as tf.Tensor1D;
  }

  kernels(): tf.Variable[] {
    return this.layers.map((l) => l.kernel);
  }

  variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
