// The k largest of a row of scores without sorting it: Hoare's selection (linear on average). Lists of the
// best products of a 20,000-product catalog are cut for every user of a run.

/** The k-th largest of `values` (which it reorders). */
export function kthLargest(values: Float32Array | Float64Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  const target = values.length - k;
  while (low < high) {
    const pivot = values[(low + high) >> 1];
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else break;
  }
  return values[target];
}

/** Indices of the `k` largest of `scores` (ties to the lower index), ascending by index. */
export function topIndices(scores: Float32Array, k: number): Int32Array {
  const n = scores.length;
  if (k >= n) return Int32Array.from({ length: n }, (_, j) => j);
  if (k <= 0) return new Int32Array(0);
  const bar = kthLargest(Float32Array.from(scores), k);
  let above = 0;
  for (let j = 0; j < n; j++) if (scores[j] > bar) above++;
  const out = new Int32Array(k);
  let at = 0;
  let ties = k - above;
  for (let j = 0; j < n && at < k; j++) {
    if (scores[j] > bar) out[at++] = j;
    else if (scores[j] === bar && ties > 0) {
      out[at++] = j;
      ties--;
    }
  }
  return out;
}
