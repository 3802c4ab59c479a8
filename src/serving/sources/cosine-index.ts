// Nearest neighbours by cosine similarity over an embedding table, kept in
// memory as unit-length rows so a query is one pass of dot products. An ensemble
// has a table per network, each its own space: the similarity is the mean of
// the cosines in each, i.e. one dot product over the unit rows of every table
// side by side, each scaled by 1/√(tables).

export interface Neighbour {
  index: number;
  similarity: number;
}

export class CosineIndex {
  private readonly unit: Float32Array;
  /** Floats per row: the embedding width times the number of tables. */
  private readonly width: number;

  /** `tables` are row-major [count × dim] each (one per network); they are copied, not kept. */
  constructor(
    tables: Float32Array | readonly Float32Array[],
    readonly count: number,
    readonly dim: number,
  ) {
    const list = tables instanceof Float32Array ? [tables] : tables;
    this.width = dim * list.length;
    this.unit = new Float32Array(count * this.width);
    const share = 1 / Math.sqrt(list.length);
    list.forEach((rows, t) => {
      for (let r = 0; r < count; r++) {
        let norm = 0;
        for (let k = 0; k < dim; k++) norm += rows[r * dim + k] ** 2;
        // A zero vector stays zero: similar to nothing (similarity 0).
        const scale = norm > 0 ? share / Math.sqrt(norm) : 0;
        const out = r * this.width + t * dim;
        for (let k = 0; k < dim; k++) this.unit[out + k] = rows[r * dim + k] * scale;
      }
    });
  }

  /** The `k` rows most similar to row `of` (itself excluded), most similar first; ties by lower index. */
  nearest(of: number, k: number): Neighbour[] {
    const { unit, width: dim, count } = this;
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
