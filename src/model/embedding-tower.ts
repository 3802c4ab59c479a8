/**
 * One side of the model (users or products): an embedding table and, optionally, a scalar bias
 * per id. Like a TFRS query/candidate tower whose only feature is the id.
 */
import * as tf from './tf.js';
import { type Rng, uniform } from './rng.js';
import { makeVariable } from './variables.js';

export interface TowerLookup {
  embedding: tf.Tensor2D;
  bias: tf.Tensor1D | null;
}

export class EmbeddingTower {
  readonly name: string;
  readonly vocabSize: number;
  readonly dim: number;
  readonly embeddings: tf.Variable<tf.Rank.R2>;
  readonly biases: tf.Variable<tf.Rank.R1> | null;

  constructor(opts: {
    name: string;
    vocabSize: number;
    dim: number;
    useBias: boolean;
    initScale?: number;
    rng?: Rng;
    embeddings?: Float32Array;
    biases?: Float32Array;
  }) {
    this.name = opts.name;
    this.vocabSize = opts.vocabSize;
    this.dim = opts.dim;
    const emb = opts.embeddings ?? uniform(opts.vocabSize * opts.dim, opts.initScale ?? 0.05, opts.rng ?? Math.random);
    this.embeddings = makeVariable(emb, [opts.vocabSize, opts.dim]);
    this.biases = opts.useBias ? makeVariable<tf.Rank.R1>(opts.biases ?? new Float32Array(opts.vocabSize), [opts.vocabSize]) : null;
  }

  /** Gather the rows of `ids` (int32 [batch]). */
  lookup(ids: tf.Tensor1D): TowerLookup {
    return {
      embedding: tf.gather(this.embeddings, ids) as tf.Tensor2D,
      bias: this.biases ? (tf.gather(this.biases, ids) as tf.Tensor1D) : null,
    };
  }

  /** Per-example lookup from gathered rows: rows[local[k]] (int32 [batch] indices into `rows`). */
  static lookupRows(rows: TowerLookup, local: tf.Tensor1D): TowerLookup {
    return {
      embedding: tf.gather(rows.embedding, local) as tf.Tensor2D,
      bias: rows.bias ? (tf.gather(rows.bias, local) as tf.Tensor1D) : null,
    };
  }

  variables(): tf.Variable[] {
    return this.biases ? [this.embeddings, this.biases] : [this.embeddings];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
