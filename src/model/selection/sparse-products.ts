// The interaction matrix's products with dense blocks on WebAssembly SIMD (src/model/simd/sparse-kernels-wat.ts),
// where the widths allow (an even m for XᵀXY, a multiple of 4 for users' vectors); plain loops otherwise.
import { arenaBytes, KernelArena } from '../simd/kernel-arena.js';
import { SPARSE_KERNELS_WAT } from '../simd/sparse-kernels-wat.js';
import { asInputs, gramTimes, type InteractionMatrix } from './interaction-matrix.js';
import type { SelectionModel } from './linear-autoencoder.js';

interface SparseKernelExports {
  memory: WebAssembly.Memory;
  gram_times(start: number, items: number, weights: number, users: number, y: number, m: number, out: number, z: number): void;
  user_vectors(start: number, items: number, weights: number, list: number, n: number, scale: number, vectors: number, k: number, out: number): void;
}

const arena = (bytes: number) => KernelArena.create<SparseKernelExports>('sparse-kernels', SPARSE_KERNELS_WAT, bytes);

/** X's compressed rows copied into an arena, with room for the arrays of one kind of product. */
async function matrixArena(x: InteractionMatrix, more: number[]) {
  const a = await arena(arenaBytes([4 * x.start.length, 4 * x.items.length, 4 * x.weights.length, ...more]));
  const start = a.ints(x.start.length);
  start.view.set(x.start);
  const items = a.ints(x.items.length);
  items.view.set(x.items);
  const weights = a.floats(x.weights.length);
  weights.view.set(x.weights);
  return { a, start: start.at, items: items.at, weights: weights.at };
}

/** `y ↦ XᵀXy` for blocks Y [numItems × m] of width up to `width`. */
export async function gramOperator(x: InteractionMatrix, width: number): Promise<(y: Float64Array, m: number) => Float64Array> {
  const n = x.numItems;
  const m0 = width + (width % 2);
  const { a, start, items, weights } = await matrixArena(x, [8 * n * m0, 8 * n * m0, 8 * m0]);
  const y = a.doubles(n * m0);
  const out = a.doubles(n * m0);
  const z = a.doubles(m0);
  return (block, m) => {
    if (m % 2 !== 0 || m > m0) return gramTimes(x, block, m);
    y.view.set(block);
    out.view.fill(0, 0, n * m);
    a.kernels.gram_times(start, items, weights, x.numUsers, y.at, m, out.at, z.at);
    return out.view.slice(0, n * m);
  };
}

/** The selection vectors of users from their rows of X (as inputs), `perCall` users at a time at most. */
export class UserVectors {
  private constructor(private readonly of_: (users: ArrayLike<number>) => Float32Array) {}

  static async create(model: SelectionModel, interactions: InteractionMatrix, perCall = 4096): Promise<UserVectors> {
    const x = asInputs(interactions);
    const k = model.rank;
    const n = model.numItems;
    if (k === 0 || model.parts.some((p) => p.width % 4 !== 0)) return new UserVectors((users) => model.userVectors(x, users));
    const blocks = model.parts.filter((p) => p.width > 0);
    const { a, start, items, weights } = await matrixArena(x, [4 * perCall, ...blocks.flatMap((p) => [4 * n, 4 * n * p.width, 4 * perCall * p.width])]);
    const list = a.ints(perCall);
    // Each block's columns copied out contiguous, as the kernel reads them.
    let offset = 0;
    const kernels = blocks.map((p) => {
      const scale = a.floats(n);
      scale.view.set(p.inputScale);
      const vectors = a.floats(n * p.width);
      for (let i = 0; i < n; i++) vectors.view.set(model.vectors.subarray(i * k + offset, i * k + offset + p.width), i * p.width);
      const block = { width: p.width, offset, scale, vectors, out: a.floats(perCall * p.width) };
      offset += p.width;
      return block;
    });
    return new UserVectors((users) => {
      const result = new Float32Array(users.length * k);
      for (let s = 0; s < users.length; s += perCall) {
        const count = Math.min(perCall, users.length - s);
        for (let r = 0; r < count; r++) list.view[r] = users[s + r];
        for (const b of kernels) {
          a.kernels.user_vectors(start, items, weights, list.at, count, b.scale.at, b.vectors.at, b.width, b.out.at);
          for (let r = 0; r < count; r++) result.set(b.out.view.subarray(r * b.width, (r + 1) * b.width), (s + r) * k + b.offset);
        }
      }
      return result;
    });
  }

  /** [users.length × rank]. */
  of(users: ArrayLike<number>): Float32Array {
    return this.of_(users);
  }
}
