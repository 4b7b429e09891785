/**
 * The logistic pair for one strong/weak pair of models: P(strong right and
 * weak wrong) and P(weak right and strong wrong), whose difference is the
 * expected gain of asking the strong model. Fitted on every row, and fold
 * by fold for the out-of-fold gains the blend and the calibration learn from.
 */
import { Logistic, type LogisticOptions, type LogisticState } from "./logistic.js";
import type { SparseVector } from "./sparse.js";

export interface PairState {
  /** P(strong right, weak wrong). */
  a: LogisticState;
  /** P(weak right, strong wrong). */
  b: LogisticState;
}

export interface PairFit {
  state: PairState;
  /** Out-of-fold expected gain per row. */
  oof: number[];
}

/** Outcomes 0…1 → the two soft labels: a = s(1 − w), b = w(1 − s). */
export function pairLabels(strong: ArrayLike<number>, weak: ArrayLike<number>): { a: number[]; b: number[]; y: number[] } {
  const a: number[] = [];
  const b: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < strong.length; i++) {
    const s = strong[i]!;
    const w = weak[i]!;
    a.push(s * (1 - w));
    b.push(w * (1 - s));
    y.push(s - w);
  }
  return { a, b, y };
}

export function pairGain(pair: { a: Logistic; b: Logistic }, x: SparseVector): number {
  return pair.a.probability(x) - pair.b.probability(x);
}

/**
 * `rows` are the design rows, `folds` the out-of-fold split; `onFit` is
 * called after each logistic fit (2 on every row, then 2 per fold).
 */
export function trainPair(rows: readonly SparseVector[], columns: number, labels: { a: number[]; b: number[] }, folds: readonly number[][], options: LogisticOptions, onFit?: () => void): PairFit {
  const fit = (idx: readonly number[], y: number[], init?: Logistic) => {
    const m = Logistic.fit(idx.map((i) => rows[i]!), idx.map((i) => y[i]!), columns, init ? { ...options, init: init.state } : options);
    onFit?.();
    return m;
  };
  // The fit on every row first: each fold's fit starts from it (the folds share most rows with it).
  const all = rows.map((_, i) => i);
  const full = { a: fit(all, labels.a), b: fit(all, labels.b) };
  const oof = new Array<number>(rows.length).fill(0);
  for (const fold of folds) {
    const held = new Set(fold);
    const train = all.filter((i) => !held.has(i));
    const pair = { a: fit(train, labels.a, full.a), b: fit(train, labels.b, full.b) };
    for (const i of fold) oof[i] = pairGain(pair, rows[i]!);
  }
  return { state: { a: full.a.state, b: full.b.state }, oof };
}
