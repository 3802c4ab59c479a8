/**
 * The token groups pooled into entities' vectors during training (feature tokens by their mean, a history
 * by its sum over √n): for a batch's distinct users or products, their pooled vectors; afterwards the
 * gradient on those vectors shared out over the tokens, with their L2, and Adam's step on the tokens' rows.
 * The tables, their Adam moments and the loops live in WebAssembly (src/model/simd): the tables are handed
 * to the stepper as views of that memory.
 *
 * A training step pools at most `cap` tokens of an entity: a cyclic window, at a random place each step, of
 * its tokens shuffled once, scaled by n / cap, so that the pooled vector is right on average. A product bought
 * by 50,000 shoppers would otherwise cost 50,000 rows in every batch it appears in; scoring and validation
 * pool every token.
 */
import type { FeatureSide } from '../features.js';
import { makeRng, type Rng } from '../rng.js';
import { arenaBytes, type KernelArena } from '../simd/kernel-arena.js';
import { tokenArena, type TokenKernelExports } from '../simd/token-kernels.js';

export type Pooling = 'mean' | 'sqrt';
export type Side = 'user' | 'item';

export interface TokenGroupSpec {
  side: Side;
  f: FeatureSide;
  /** Its table's name in the weights. */
  table: string;
  pooling: Pooling;
}

/** Adam's settings for a step (src/model/onnx/adam.ts holds the step count). */
export interface AdamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Bias corrections 1 − β^t of this step. */
  c1: number;
  c2: number;
}

interface Group {
  spec: TokenGroupSpec;
  table: { at: number; view: Float32Array };
  m: number;
  v: number;
  tokens: number;
  /** 1/n or 1/√n per entity. */
  share: Float32Array;
  /** A byte per token: touched by the current step. */
  touched: number;
  /** Per token: its weight (for L2) and gradient in the current step. */
  tokenWeight: number;
  tokenGrad: number;
  /** The current step's window of each distinct entity: where it starts in its tokens, and its length. */
  offset: { at: number; view: Int32Array };
  length: { at: number; view: Int32Array };
}

interface SideScratch {
  base: { at: number; view: Int32Array };
  count: { at: number; view: Int32Array };
  scale: { at: number; view: Float32Array };
  weight: { at: number; view: Float32Array };
  out: { at: number; view: Float32Array };
  grads: { at: number; view: Float32Array };
}

/** Where entity e's tokens start and how many it has, into slot s of the side's scratch; returns the count. */
function tokensOf(g: Group, scratch: SideScratch, s: number, e: number): number {
  const { start } = g.spec.f;
  const count = start[e + 1] - start[e];
  scratch.base.view[s] = start[e];
  scratch.count.view[s] = count;
  return count;
}

export class TokenPools {
  private readonly sides = new Map<Side, SideScratch>();
  private readonly k: TokenKernelExports;
  private readonly acc: number;

  private constructor(
    readonly arena: KernelArena<TokenKernelExports>,
    private readonly groups: Group[],
    private readonly d: number,
    private readonly cap: number,
    /** Distinct entities a call may pool at most. */
    readonly maxEntities: number,
    private readonly rng: Rng,
  ) {
    this.k = arena.kernels;
    this.acc = arena.floats(d).at;
    for (const side of new Set(groups.map((g) => g.spec.side))) {
      this.sides.set(side, {
        base: arena.ints(maxEntities),
        count: arena.ints(maxEntities),
        scale: arena.floats(maxEntities),
        weight: arena.floats(maxEntities),
        out: arena.floats(maxEntities * d),
        grads: arena.floats(maxEntities * d),
      });
    }
  }

  /**
   * The groups of `specs`, their tables filled by `init` (uniform in ±scale, as the id embeddings), for calls
   * of at most `maxEntities` distinct entities (a batch, a validation chunk).
   */
  static async create(
    specs: TokenGroupSpec[],
    d: number,
    cap: number,
    maxEntities: number,
    init: (n: number) => Float32Array,
    seed: number,
  ): Promise<TokenPools> {
    if (d % 4 !== 0) throw new Error(`embeddingDim must be a multiple of 4 with feature or history tokens, got ${d}`);
    const counts: number[] = [d];
    for (const _side of new Set(specs.map((s) => s.side))) counts.push(maxEntities, maxEntities, maxEntities, maxEntities, maxEntities * d, maxEntities * d);
    for (const { f } of specs)
      counts.push(f.numTokens * d, f.numTokens * d, f.numTokens * d, f.tokens.length, f.numTokens / 4, f.numTokens, f.numTokens * d, maxEntities, maxEntities);
    const arena = await tokenArena(arenaBytes(counts.map((n) => 4 * n)));
    const rng = makeRng(seed);
    const groups = specs.map((spec): Group => {
      const { f } = spec;
      const table = arena.floats(f.numTokens * d);
      table.view.set(init(f.numTokens * d));
      const m = arena.floats(f.numTokens * d).at;
      const v = arena.floats(f.numTokens * d).at;
      const tokens = arena.ints(f.tokens.length);
      tokens.view.set(f.tokens);
      const entities = f.start.length - 1;
      const share = new Float32Array(entities);
      for (let e = 0; e < entities; e++) {
        const from = f.start[e];
        const n = f.start[e + 1] - from;
        if (n > 0) share[e] = spec.pooling === 'mean' ? 1 / n : 1 / Math.sqrt(n);
        // Shuffled once: any window of an entity's tokens is then a uniform sample of them.
        for (let k = n - 1; k > 0; k--) {
          const j = Math.floor(rng() * (k + 1));
          const t = tokens.view[from + k];
          tokens.view[from + k] = tokens.view[from + j];
          tokens.view[from + j] = t;
        }
      }
      const touched = arena.bytes(f.numTokens);
      return {
        spec,
        table,
        m,
        v,
        tokens: tokens.at,
        share,
        touched: touched.at,
        tokenWeight: arena.floats(f.numTokens).at,
        tokenGrad: arena.floats(f.numTokens * d).at,
        offset: arena.ints(maxEntities),
        length: arena.ints(maxEntities),
      };
    });
    return new TokenPools(arena, groups, d, cap, maxEntities, rng);
  }

  /** Each group's table, by its name in the weights (views of the kernels' memory). */
  tables(): { name: string; values: Float32Array; rows: number }[] {
    return this.groups.map((g) => ({ name: g.spec.table, values: g.table.view, rows: g.spec.f.numTokens }));
  }

  has(side: Side): boolean {
    return this.sides.has(side);
  }

  /**
   * Adds the pooled tokens of each of `entities` (distinct, at most maxEntities) into `out` [entities × d]:
   * every token, or with `training` a window of at most `cap` of them (remembered for step()).
   */
  pool(side: Side, entities: Int32Array, training: boolean, out: Float32Array): void {
    const scratch = this.sides.get(side);
    if (!scratch) return;
    const n = entities.length;
    if (n > this.maxEntities) throw new Error(`at most ${this.maxEntities} entities a call, got ${n}`);
    const d = this.d;
    scratch.out.view.fill(0, 0, n * d);
    for (const g of this.groups) {
      if (g.spec.side !== side) continue;
      for (let s = 0; s < n; s++) {
        const e = entities[s];
        const count = tokensOf(g, scratch, s, e);
        const cap = this.cap;
        const windowed = training && count > cap;
        // Cyclic, so that every token is in a window with the same probability cap / n.
        g.offset.view[s] = windowed ? Math.floor(this.rng() * count) : 0;
        g.length.view[s] = windowed ? cap : count;
        scratch.scale.view[s] = windowed ? (g.share[e] * count) / cap : g.share[e];
      }
      this.k.pool(g.table.at, d, g.tokens, scratch.base.at, scratch.count.at, g.offset.at, g.length.at, scratch.scale.at, n, scratch.out.at, this.acc);
    }
    out.set(scratch.out.view.subarray(0, n * d));
  }

  /**
   * The gradient `grads` ([entities × d], summed over each entity's `counts` examples) on the windows of the
   * last pool() of this side, shared out over their tokens, with L2 (`l2` per example, as the id rows'), and
   * Adam's step on those tokens. Returns the L2 term of the loss.
   */
  step(side: Side, entities: Int32Array, grads: Float32Array, counts: Float32Array, l2: number, adam: AdamStep): number {
    const scratch = this.sides.get(side);
    if (!scratch) return 0;
    const n = entities.length;
    const d = this.d;
    scratch.grads.view.set(grads.subarray(0, n * d));
    let reg = 0;
    for (const g of this.groups) {
      if (g.spec.side !== side) continue;
      for (let s = 0; s < n; s++) {
        const e = entities[s];
        const count = tokensOf(g, scratch, s, e);
        const length = g.length.view[s];
        const scale = length > 0 ? (g.share[e] * count) / length : 0;
        scratch.scale.view[s] = scale;
        scratch.weight.view[s] = scale * counts[s];
      }
      this.k.scatter(
        d,
        g.tokens,
        scratch.base.at,
        scratch.count.at,
        g.offset.at,
        g.length.at,
        scratch.scale.at,
        scratch.weight.at,
        scratch.grads.at,
        n,
        g.touched,
        g.tokenWeight,
        g.tokenGrad,
      );
      reg += this.k.adam(
        g.table.at,
        g.m,
        g.v,
        d,
        g.spec.f.numTokens,
        g.touched,
        g.tokenWeight,
        g.tokenGrad,
        l2,
        adam.learningRate,
        adam.beta1,
        adam.beta2,
        adam.epsilon,
        adam.c1,
        adam.c2,
      );
    }
    return reg;
  }
}
