/**
 * k-means (Lloyd's iterations from a seeded sample of points), the distances computed on onnxruntime:
 * ‖x − c‖² = ‖x‖² − 2·x·c + ‖c‖², the product one Gemm, the nearest centres one TopK. WHY our own: a
 * few dozen lines on the engine already here, where a library would compute the distances in JS.
 */
import { GraphBuilder } from '../onnx/graph-builder.js';
import { createSession, type Ort, type Session } from '../onnx/runtime.js';
import { makeRng } from '../rng.js';

/** Points per call of the assignment graph. */
const CHUNK = 8192;

/** Inputs: x [N, D], centres [K, D], centre_norms [K] (‖c‖²). Output: nearest [N, probe] (int64, nearest first). */
function nearestCentresGraph(probe: number): Uint8Array {
  const g = new GraphBuilder('nearest_centres');
  const x = g.input('x', ['N', 'D']);
  const centres = g.input('centres', ['K', 'D']);
  const norms = g.input('centre_norms', ['K']);
  // ‖x‖² is the same for every centre of a point: left out of the ranking.
  const distance = g.op('Add', [g.op('Gemm', [x, centres], { transB: 1, alpha: { float: -2 } }), norms]);
  const [, nearest] = g.opOutputs('TopK', [distance, g.int64s([probe])], 2, { axis: 1, largest: 0, sorted: 1 });
  g.output('nearest', nearest, ['N', probe], 'int64');
  return g.toBytes();
}

export class NearestCentres {
  private constructor(
    private readonly ort: Ort,
    private readonly session: Session,
    readonly probe: number,
  ) {}

  static async create(ort: Ort, probe: number): Promise<NearestCentres> {
    return new NearestCentres(ort, await createSession(ort, nearestCentresGraph(probe)), probe);
  }

  /** For each of the n points ([n, dim] row-major), its `probe` nearest centres ([k, dim]), nearest first: [n × probe]. */
  async assign(points: Float32Array, dim: number, centres: Float32Array): Promise<Int32Array> {
    const n = points.length / dim;
    const k = centres.length / dim;
    const norms = new Float32Array(k);
    for (let c = 0; c < k; c++) for (let j = 0; j < dim; j++) norms[c] += centres[c * dim + j] ** 2;
    const out = new Int32Array(n * this.probe);
    const c = new this.ort.Tensor('float32', centres, [k, dim]);
    const cn = new this.ort.Tensor('float32', norms, [k]);
    for (let s = 0; s < n; s += CHUNK) {
      const rows = Math.min(CHUNK, n - s);
      const x = new this.ort.Tensor('float32', points.subarray(s * dim, (s + rows) * dim), [rows, dim]);
      const { nearest } = await this.session.run({ x, centres: c, centre_norms: cn });
      const ids = nearest.data as BigInt64Array;
      for (let j = 0; j < ids.length; j++) out[s * this.probe + j] = Number(ids[j]);
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export interface KMeansOptions {
  clusters: number;
  iterations: number;
  /** Points the centres are fitted on (all of them when fewer). */
  sample: number;
  seed: number;
}

/** Centres [clusters, dim] fitted to `points` ([n, dim] row-major). */
export async function fitCentres(ort: Ort, points: Float32Array, dim: number, opts: KMeansOptions): Promise<Float32Array> {
  const n = points.length / dim;
  const k = Math.max(1, Math.min(opts.clusters, n));
  const rng = makeRng(opts.seed);
  // A seeded sample of distinct points: the fit's data, and its first k points the first centres.
  const order = Int32Array.from({ length: n }, (_, j) => j);
  const m = Math.max(k, Math.min(n, opts.sample));
  for (let j = 0; j < m; j++) {
    const r = j + Math.floor(rng() * (n - j));
    [order[j], order[r]] = [order[r], order[j]];
  }
  const sample = new Float32Array(m * dim);
  for (let j = 0; j < m; j++) sample.set(points.subarray(order[j] * dim, (order[j] + 1) * dim), j * dim);
  const centres = sample.slice(0, k * dim);
  const nearest = await NearestCentres.create(ort, 1);
  try {
    for (let it = 0; it < opts.iterations; it++) {
      const assigned = await nearest.assign(sample, dim, centres);
      const sums = new Float64Array(k * dim);
      const counts = new Int32Array(k);
      for (let j = 0; j < m; j++) {
        const c = assigned[j];
        counts[c]++;
        for (let d = 0; d < dim; d++) sums[c * dim + d] += sample[j * dim + d];
      }
      for (let c = 0; c < k; c++) {
        // An empty cluster takes a random sample point, so that every centre stays in use.
        if (counts[c] === 0) centres.set(sample.subarray(Math.floor(rng() * m) * dim).subarray(0, dim), c * dim);
        else for (let d = 0; d < dim; d++) centres[c * dim + d] = sums[c * dim + d] / counts[c];
      }
    }
  } finally {
    await nearest.release();
  }
  return centres;
}
