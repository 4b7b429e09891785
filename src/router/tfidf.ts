/**
 * TF-IDF over unigrams and bigrams, fitted on the training prompts:
 * sublinear term frequency (1 + ln tf), smoothed idf (ln((1 + N) / (1 + df)) + 1,
 * as scikit-learn), unit length. The vocabulary keeps the terms seen in at
 * least `minDf` prompts, the `maxFeatures` most frequent.
 */
import { terms } from "./tokenize.js";
import { fromMap, normalized, type SparseVector } from "./sparse.js";

export interface TfidfOptions {
  minDf?: number;
  maxFeatures?: number;
  /** Terms in more than this share of prompts are dropped (they separate nothing). */
  maxDfShare?: number;
}

export const TFIDF_DEFAULTS: Required<TfidfOptions> = { minDf: 2, maxFeatures: 60_000, maxDfShare: 0.9 };

/** What the router file keeps: the vocabulary (term → column) and each column's idf. */
export interface TfidfState {
  terms: string[];
  idf: number[];
}

export class Tfidf {
  readonly #columns: Map<string, number>;
  readonly #idf: Float64Array;
  readonly state: TfidfState;

  constructor(state: TfidfState) {
    this.state = state;
    this.#columns = new Map(state.terms.map((t, i) => [t, i]));
    this.#idf = Float64Array.from(state.idf);
  }

  get size(): number {
    return this.#idf.length;
  }

  static fit(texts: readonly string[], options: TfidfOptions = {}): Tfidf {
    const o = { ...TFIDF_DEFAULTS, ...options };
    const df = new Map<string, number>();
    for (const text of texts) {
      for (const t of new Set(terms(text))) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const maxDf = Math.max(o.minDf, Math.floor(o.maxDfShare * texts.length));
    const kept = [...df].filter(([, n]) => n >= o.minDf && n <= maxDf)
      // Most frequent first; ties by the term, so the vocabulary does not depend on Map order.
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, o.maxFeatures)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const n = texts.length;
    return new Tfidf({ terms: kept.map(([t]) => t), idf: kept.map(([, d]) => Math.log((1 + n) / (1 + d)) + 1) });
  }

  /** The prompt's unit-length TF-IDF vector over the vocabulary (terms outside it are ignored). */
  vector(text: string): SparseVector {
    const counts = new Map<number, number>();
    for (const t of terms(text)) {
      const c = this.#columns.get(t);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const [c, tf] of counts) counts.set(c, (1 + Math.log(tf)) * this.#idf[c]!);
    return normalized(fromMap(counts));
  }
}
