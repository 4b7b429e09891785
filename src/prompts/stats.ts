/**
 * The statistics of an evaluation, written out because they are short and
 * the choices matter (docs/prompts.md, "Reading the results"):
 *
 * - A version's mean score with a 95 % interval: Wilson's score interval
 *   when every score is 0 or 1 (a share of rows passed; unlike the normal
 *   approximation it stays inside [0, 1] and is not zero-width at 0 % or
 *   100 %), else a percentile bootstrap of the mean (graded scores, e.g. a
 *   judge's).
 * - Two versions on the same rows: a paired bootstrap of the difference of
 *   their means (rows resampled together, so what both find hard cancels
 *   out), and the exact two-sided sign test on the rows where they differ.
 *
 * Resampling is seeded: the same scores give the same intervals.
 */
import { seeded } from "../router/random.js";

/** The normal quantile of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;
export const BOOTSTRAP_SAMPLES = 4000;

export interface Interval {
  low: number;
  high: number;
}

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Wilson's 95 % score interval for k successes in n trials. */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The value at quantile q of sorted values (linear between ranks, as percentile_cont). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  return frac === 0 || lo + 1 >= sorted.length ? sorted[lo]! : sorted[lo]! + frac * (sorted[lo + 1]! - sorted[lo]!);
}

/** Percentile bootstrap 95 % interval of the mean of `xs`. */
export function bootstrapMean(xs: readonly number[], seed = 1, samples = BOOTSTRAP_SAMPLES): Interval {
  const n = xs.length;
  if (n === 0) return { low: 0, high: 1 };
  const random = seeded(seed);
  const means = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += xs[Math.floor(random() * n)]!;
    means[s] = sum / n;
  }
  means.sort();
  return { low: quantile(means, 0.025), high: quantile(means, 0.975) };
}

export const isBinary = (xs: readonly number[]): boolean => xs.every((x) => x === 0 || x === 1);

/** A mean and its 95 % interval: Wilson for pass/fail scores, bootstrap for graded ones. */
export function meanInterval(xs: readonly number[], seed = 1): { mean: number; ci: Interval; method: "wilson" | "bootstrap" } {
  if (isBinary(xs)) return { mean: mean(xs), ci: wilson(xs.filter((x) => x === 1).length, xs.length), method: "wilson" };
  return { mean: mean(xs), ci: bootstrapMean(xs, seed), method: "bootstrap" };
}

/** Exact two-sided sign test: p of a split at least this uneven among the rows where a and b differ. */
export function signTest(a: readonly number[], b: readonly number[]): { wins: number; losses: number; p: number } {
  let wins = 0;
  let losses = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) wins++;
    else if (a[i]! < b[i]!) losses++;
  }
  const m = wins + losses;
  if (m === 0) return { wins, losses, p: 1 };
  // P(X <= min(wins, losses)) for X ~ Binomial(m, 1/2), summed in log space (0.5^m underflows past m ≈ 1074).
  const k = Math.min(wins, losses);
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(m - i + 1) - Math.log(i);
    tail += Math.exp(logC - m * Math.LN2);
  }
  return { wins, losses, p: Math.min(1, 2 * tail) };
}

/** Paired bootstrap 95 % interval of mean(a) − mean(b): rows resampled together. */
export function pairedBootstrap(a: readonly number[], b: readonly number[], seed = 1, samples = BOOTSTRAP_SAMPLES): { diff: number; ci: Interval } {
  const n = Math.min(a.length, b.length);
  const d = Array.from({ length: n }, (_, i) => a[i]! - b[i]!);
  return { diff: mean(d), ci: n === 0 ? { low: 0, high: 0 } : bootstrapMean(d, seed, samples) };
}

/** Rounded for reports: scores to 4 places. */
export const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;
