// Nearest neighbours by cosine similarity over one embedding table, kept in
// memory as unit-length rows so a query is one pass of dot products
// (1,682 × 32 floats for MovieLens 100K: tens of microseconds).

export interface Neighbour {
  index: number;
  similarity: number;
}

export class CosineIndex {
  private readonly unit: Float32Array;

  /** `rows` is row-major [count × dim]; it is copied, not kept. */
  constructor(
    rows: Float32Array,
    readonly count: number,
    readonly dim: number,
  ) {
    this.unit = new Float32Array(count * dim);
    for (let r = 0; r < count; r++) {
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += rows[r * dim + k] ** 2;
      // A zero vector stays zero: similar to nothing (similarity 0).
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = 0; k < dim; k++) this.unit[r * dim + k] = rows[r * dim + k] * scale;
    }
  }

  /** The `k` rows most similar to row `of` (itself excluded), most similar first; ties by lower index. */
  nearest(of: number, k: number): Neighbour[] {
    const { unit, dim, count } = this;
    const base = of * dim;
    // A sorted buffer of the best k so far: k ≤ a few hundred, so insertion beats a heap here.
    const best: Neighbour[] = [];
    for (let r = 0; r < count; r++) {
      if (r === of) continue;
      let dot = 0;
      const o = r * dim;
      for (let j = 0; j < dim; j++) dot += unit[base + j] * unit[o + j];
      if (best.length === k && dot <= best[k - 1].similarity) continue;
      let at = best.length;
      while (at > 0 && best[at - 1].similarity < dot) at--;
      best.splice(at, 0, { index: r, similarity: Math.max(-1, Math.min(1, dot)) });
      if (best.length > k) best.pop();
    }
    return best;
  }
}
