// Cholesky factors of the small (m × m, m a few hundred) symmetric matrices of the selection model's fit, in
// place on row-major Float64Arrays. WHY our own: a few loops, where ml-matrix was far slower at this size (docs/benchmarks.md).

/**
 * The lower factor L of A = LLᵀ (A symmetric positive semi-definite, [m × m]). A column whose pivot is
 * below `tolerance` × the largest diagonal entry adds nothing the earlier ones do not span: it is left
 * out (its row and column of L are zero) and reported in `dropped`.
 */
export function cholesky(a: Float64Array, m: number, tolerance = 1e-12): { lower: Float64Array; dropped: Uint8Array } {
  const l = new Float64Array(m * m);
  const dropped = new Uint8Array(m);
  let largest = 0;
  for (let i = 0; i < m; i++) largest = Math.max(largest, a[i * m + i]);
  const floor = largest * tolerance;
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j];
    for (let p = 0; p < j; p++) d -= l[j * m + p] * l[j * m + p];
    if (!(d > floor)) {
      dropped[j] = 1;
      continue;
    }
    const pivot = Math.sqrt(d);
    l[j * m + j] = pivot;
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j];
      for (let p = 0; p < j; p++) s -= l[i * m + p] * l[j * m + p];
      l[i * m + j] = s / pivot;
    }
  }
  return { lower: l, dropped };
}

/** L⁻¹ of a lower-triangular L (columns left out of it stay zero). */
export function invertLower(l: Float64Array, m: number): Float64Array {
  const inv = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    if (l[j * m + j] === 0) continue;
    inv[j * m + j] = 1 / l[j * m + j];
    for (let i = j + 1; i < m; i++) {
      if (l[i * m + i] === 0) continue;
      let s = 0;
      for (let p = j; p < i; p++) s += l[i * m + p] * inv[p * m + j];
      inv[i * m + j] = -s / l[i * m + i];
    }
  }
  return inv;
}

/** Aᵀ of an [r × c] row-major matrix. */
export function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}
