/**
 * Sparse vectors: term indices in increasing order and their weights. The
 * TF-IDF of a prompt, an example in the kNN memory, a row of a design matrix.
 */
export interface SparseVector {
  readonly idx: Int32Array;
  readonly val: Float64Array;
}

export const EMPTY_VECTOR: SparseVector = { idx: new Int32Array(0), val: new Float64Array(0) };

/** From a map of index → weight (any order). */
export function fromMap(weights: Map<number, number>): SparseVector {
  const keys = [...weights.keys()].sort((a, b) => a - b);
  const idx = new Int32Array(keys.length);
  const val = new Float64Array(keys.length);
  keys.forEach((k, i) => {
    idx[i] = k;
    val[i] = weights.get(k)!;
  });
  return { idx, val };
}

/** Σ v·w over a dense weight array. */
export function dotDense(v: SparseVector, w: ArrayLike<number>): number {
  let s = 0;
  const { idx, val } = v;
  for (let i = 0; i < idx.length; i++) s += val[i]! * (w[idx[i]!] ?? 0);
  return s;
}

/** Σ a·b of two sparse vectors (merge of sorted indices). */
export function dotSparse(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i]!;
    const y = b.idx[j]!;
    if (x === y) s += a.val[i++]! * b.val[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

export function norm(v: SparseVector): number {
  let s = 0;
  for (let i = 0; i < v.val.length; i++) s += v.val[i]! * v.val[i]!;
  return Math.sqrt(s);
}

/** The same vector scaled to unit length (an empty vector stays empty). */
export function normalized(v: SparseVector): SparseVector {
  const n = norm(v);
  if (n === 0) return v;
  const val = new Float64Array(v.val.length);
  for (let i = 0; i < val.length; i++) val[i] = v.val[i]! / n;
  return { idx: v.idx, val };
}

/** The `k` largest weights only (by absolute value), indices kept in order, renormalised: the kNN memory's compact form. */
export function topTerms(v: SparseVector, k: number): SparseVector {
  if (v.idx.length <= k) return v;
  const order = Array.from(v.idx, (_, i) => i).sort((a, b) => Math.abs(v.val[b]!) - Math.abs(v.val[a]!) || a - b).slice(0, k).sort((a, b) => a - b);
  const idx = new Int32Array(order.length);
  const val = new Float64Array(order.length);
  order.forEach((o, i) => {
    idx[i] = v.idx[o]!;
    val[i] = v.val[o]!;
  });
  return normalized({ idx, val });
}
