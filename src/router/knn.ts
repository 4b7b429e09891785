/**
 * kNN competence (the idea of DESlib's dynamic selection): a prompt needs
 * the strong model about as much as the past prompts nearest to it did.
 * Each example is a prompt's TF-IDF vector (its strongest terms only) and
 * its labels, one per rung of the ladder (one for a strong/weak pair): the
 * observed strong-minus-weak record in −1…1 (strong right and weak wrong =
 * 1, the reverse = −1; NaN = not observed, as feedback on a third model
 * says nothing about this pair). A query's competence, per rung, is the
 * similarity-weighted mean label of its `k` nearest examples (cosine),
 * shrunk towards the rung's mean label by `prior` pseudo-examples:
 *
 *   competence = (Σ w_j s_j^p · y_j + prior · ȳ) / (Σ w_j s_j^p + prior)
 *
 * Similarities are found through an inverted index (term → examples), so a
 * query touches only examples sharing a term with it. Examples can be added
 * while serving (feedback): the memory learns without retraining.
 */
import { topTerms, type SparseVector } from "./sparse.js";

export interface KnnOptions {
  k?: number;
  /** Exponent on the similarity: higher lets the nearest few dominate. */
  power?: number;
  /** Pseudo-examples at the mean label. */
  prior?: number;
  /** Terms kept per example (the largest TF-IDF weights). */
  terms?: number;
  /** Online examples kept beyond the trained ones; the oldest go first. */
  maxOnline?: number;
}

export const KNN_DEFAULTS: Required<KnnOptions> = { k: 40, power: 2, prior: 2, terms: 40, maxOnline: 20_000 };

/** One stored example: the vector's term columns and weights, its labels (per rung) and weight. */
export interface KnnExample {
  idx: number[];
  val: number[];
  y: number[];
  /** How much the example counts (feedback may count for more or less than a labelled row). */
  w: number;
}

export interface KnnState {
  options: Required<KnnOptions>;
  examples: KnnExample[];
}

interface Posting {
  ids: number[];
  weights: number[];
}

export class KnnMemory {
  readonly options: Required<KnnOptions>;
  readonly #examples: KnnExample[] = [];
  readonly #postings = new Map<number, Posting>();
  readonly #trained: number;
  readonly #rungs: number;
  #sumY: number[];
  #sumW: number[];
  #scores = new Float64Array(0);
  #touched: number[] = [];

  constructor(state: KnnState, rungs = state.examples[0]?.y.length ?? 1) {
    this.options = { ...KNN_DEFAULTS, ...state.options };
    this.#rungs = rungs;
    this.#sumY = new Array<number>(rungs).fill(0);
    this.#sumW = new Array<number>(rungs).fill(0);
    for (const e of state.examples) this.#index(e);
    this.#trained = state.examples.length;
  }

  get size(): number {
    return this.#examples.length;
  }

  /** Trained examples and the online ones learnt since. */
  get state(): KnnState {
    return { options: this.options, examples: this.#examples.slice() };
  }

  /** A prompt's vector as the memory keeps and queries it: its strongest terms, weights rounded. */
  static compact(v: SparseVector, terms: number): Pick<KnnExample, "idx" | "val"> {
    const t = topTerms(v, terms);
    return { idx: Array.from(t.idx), val: Array.from(t.val, (x) => Math.round(x * 1e4) / 1e4) };
  }

  /** The query form of a vector (its strongest terms): what `competence` takes. */
  query(v: SparseVector): SparseVector {
    return topTerms(v, this.options.terms);
  }

  /** Adds one example (a labelled row at training, feedback while serving). */
  add(vector: SparseVector, y: number[], w = 1): void {
    this.#index({ ...KnnMemory.compact(vector, this.options.terms), y, w });
    const online = this.#examples.length - this.#trained;
    if (online > this.options.maxOnline) this.#forgetOldestOnline(Math.ceil(this.options.maxOnline / 10));
  }

  /**
   * The competence of a query vector (see `query`), per rung, written to
   * `out`; `exclude` leaves one example out (out-of-fold scores at training).
   */
  competence(v: SparseVector, out: number[], exclude = -1): number[] {
    const { k, power, prior } = this.options;
    const n = this.#examples.length;
    if (this.#scores.length < n) this.#scores = new Float64Array(Math.max(n, this.#scores.length * 2));
    const scores = this.#scores;
    const touched = this.#touched;
    touched.length = 0;
    for (let i = 0; i < v.idx.length; i++) {
      const p = this.#postings.get(v.idx[i]!);
      if (!p) continue;
      const q = v.val[i]!;
      for (let j = 0; j < p.ids.length; j++) {
        const id = p.ids[j]!;
        if (scores[id] === 0) touched.push(id);
        scores[id]! += q * p.weights[j]!;
      }
    }
    // A bounded min-heap of the k most similar examples.
    const heap: number[] = [];
    for (const id of touched) {
      const s = scores[id]!;
      if (id === exclude || s <= 0) continue;
      if (heap.length < k) heapPush(heap, scores, id);
      else if (s > scores[heap[0]!]!) heapReplace(heap, scores, id);
    }
    for (let r = 0; r < this.#rungs; r++) {
      const mean = this.#sumW[r] ? this.#sumY[r]! / this.#sumW[r]! : 0;
      let num = prior * mean;
      let den = prior;
      for (const id of heap) {
        const e = this.#examples[id]!;
        const y = e.y[r]!;
        if (Number.isNaN(y)) continue;
        const s = Math.pow(Math.min(1, scores[id]!), power) * e.w;
        num += s * y;
        den += s;
      }
      out[r] = den > 0 ? num / den : 0;
    }
    for (const id of touched) scores[id] = 0;
    return out;
  }

  #index(e: KnnExample): void {
    const id = this.#examples.length;
    this.#examples.push(e);
    for (let r = 0; r < this.#rungs; r++) {
      const y = e.y[r];
      if (y === undefined || Number.isNaN(y)) continue;
      this.#sumY[r]! += y * e.w;
      this.#sumW[r]! += e.w;
    }
    for (let i = 0; i < e.idx.length; i++) {
      let p = this.#postings.get(e.idx[i]!);
      if (!p) this.#postings.set(e.idx[i]!, (p = { ids: [], weights: [] }));
      p.ids.push(id);
      p.weights.push(e.val[i]!);
    }
  }

  /** Rebuilds the index without the `n` oldest online examples (amortised: a tenth of the allowance at a time). */
  #forgetOldestOnline(n: number): void {
    const kept = [...this.#examples.slice(0, this.#trained), ...this.#examples.slice(this.#trained + n)];
    this.#examples.length = 0;
    this.#postings.clear();
    this.#sumY.fill(0);
    this.#sumW.fill(0);
    for (const e of kept) this.#index(e);
  }
}

function heapPush(h: number[], s: Float64Array, id: number): void {
  h.push(id);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (s[h[p]!]! <= s[h[i]!]!) break;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function heapReplace(h: number[], s: Float64Array, id: number): void {
  h[0] = id;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && s[h[l]!]! < s[h[m]!]!) m = l;
    if (r < h.length && s[h[r]!]! < s[h[m]!]!) m = r;
    if (m === i) break;
    [h[m], h[i]] = [h[i]!, h[m]!];
    i = m;
  }
}
