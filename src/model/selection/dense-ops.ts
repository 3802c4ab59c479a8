// The two dense float64 products the selection model's fit needs, [n × m] blocks with n up to the catalog's
// size: on onnxruntime (its Gemm runs them at tens of GFLOP/s) where it loads, else in plain loops.
import { GraphBuilder } from '../onnx/graph-builder.js';
import { createSession, type Ort, type Session } from '../onnx/runtime.js';

export interface DenseOps {
  /** AᵀB for A [n × m] and B [n × p], row-major: [m × p]. */
  transposeTimes(a: Float64Array, b: Float64Array, n: number, m: number, p: number): Promise<Float64Array>;
  /** AB for A [n × m] and B [m × p]: [n × p]. */
  times(a: Float64Array, b: Float64Array, n: number, m: number, p: number): Promise<Float64Array>;
  /** ABᵀ in float32 for A [n × m] and B [p × m]: every pair's dot product, [n × p]. */
  dots(a: Float32Array, b: Float32Array, n: number, m: number, p: number): Promise<Float32Array>;
  release(): Promise<void>;
}

function gemmGraph(trans: 'A' | 'B' | null, type: 'double' | 'float'): Uint8Array {
  const g = new GraphBuilder(`gemm_${trans ?? 'none'}_${type}`);
  const a = g.input('a', ['N', 'M'], type);
  const b = g.input('b', trans === 'A' ? ['N', 'P'] : trans === 'B' ? ['P', 'M'] : ['M', 'P'], type);
  g.output('c', g.op('Gemm', [a, b], trans === 'A' ? { transA: 1 } : trans === 'B' ? { transB: 1 } : {}), [trans === 'A' ? 'M' : 'N', 'P'], type);
  return g.toBytes();
}

export class OnnxDenseOps implements DenseOps {
  private constructor(
    private readonly ort: Ort,
    private readonly tn: Session,
    private readonly nn: Session,
    private readonly nt: Session,
  ) {}

  static async create(ort: Ort, threads = 1): Promise<OnnxDenseOps> {
    const [tn, nn, nt] = await Promise.all([
      createSession(ort, gemmGraph('A', 'double'), threads),
      createSession(ort, gemmGraph(null, 'double'), threads),
      createSession(ort, gemmGraph('B', 'float'), threads),
    ]);
    return new OnnxDenseOps(ort, tn, nn, nt);
  }

  private async run(session: Session, a: Float64Array, aDims: number[], b: Float64Array, bDims: number[]): Promise<Float64Array> {
    const { c } = await session.run({ a: new this.ort.Tensor('float64', a, aDims), b: new this.ort.Tensor('float64', b, bDims) });
    return c.data as Float64Array;
  }

  async dots(a: Float32Array, b: Float32Array, n: number, m: number, p: number): Promise<Float32Array> {
    const { c } = await this.nt.run({ a: new this.ort.Tensor('float32', a, [n, m]), b: new this.ort.Tensor('float32', b, [p, m]) });
    return c.data as Float32Array;
  }

  transposeTimes(a: Float64Array, b: Float64Array, n: number, m: number, p: number) {
    return this.run(this.tn, a, [n, m], b, [n, p]);
  }

  times(a: Float64Array, b: Float64Array, n: number, m: number, p: number) {
    return this.run(this.nn, a, [n, m], b, [m, p]);
  }

  async release(): Promise<void> {
    await Promise.all([this.tn.release(), this.nn.release(), this.nt.release()]);
  }
}

/** The same products in loops, where onnxruntime does not load. */
export const plainDenseOps: DenseOps = {
  async transposeTimes(a, b, n, m, p) {
    const out = new Float64Array(m * p);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < m; i++) {
        const v = a[r * m + i];
        if (v === 0) continue;
        const row = i * p;
        const from = r * p;
        for (let j = 0; j < p; j++) out[row + j] += v * b[from + j];
      }
    }
    return out;
  },
  async times(a, b, n, m, p) {
    const out = new Float64Array(n * p);
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < m; i++) {
        const v = a[r * m + i];
        if (v === 0) continue;
        const row = i * p;
        const at = r * p;
        for (let j = 0; j < p; j++) out[at + j] += v * b[row + j];
      }
    }
    return out;
  },
  async dots(a, b, n, m, p) {
    const out = new Float32Array(n * p);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < p; c++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += a[r * m + j] * b[c * m + j];
        out[r * p + c] = s;
      }
    }
    return out;
  },
  async release() {},
};

export async function denseOps(ort: Ort | null, threads = 1): Promise<DenseOps> {
  return ort ? OnnxDenseOps.create(ort, threads) : plainDenseOps;
}
