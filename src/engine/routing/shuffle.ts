/**
 * Random orderings shared by the strategies. Every function copies: a
 * strategy must never reorder the route's own target list.
 */
import type { StrategyContext } from "./types.js";

export type Random = () => number;

export function randomOf(ctx: StrategyContext): Random {
  return ctx.random ?? Math.random;
}

/** Uniform random permutation (Fisher–Yates) of a copy. */
export function shuffle<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Weighted random draw without replacement (Efraimidis–Spirakis): each item
 * gets key ln(u)/w and the largest key comes first. The first item is then
 * chosen with probability w / Σw, and each later position is again
 * proportional to weight among the items left. Non-positive weights go last,
 * in random order.
 */
export function weightedShuffle<T>(items: readonly T[], weightOf: (item: T) => number, random: Random): T[] {
  const keyed = items.map((item) => {
    const w = weightOf(item);
    // 1 - random() is in (0, 1], so ln() is finite.
    const u = 1 - random();
    return { item, key: w > 0 && Number.isFinite(w) ? Math.log(u) / w : Number.NEGATIVE_INFINITY, tie: u };
  });
  keyed.sort((a, b) => (b.key - a.key) || (b.tie - a.tie));
  return keyed.map((k) => k.item);
}

/** Stable ascending sort of a copy by a precomputed number per item (computed once, not per comparison). */
export function sortedBy<T>(items: readonly T[], score: (item: T) => number): T[] {
  const scored = items.map((item) => ({ item, s: score(item) }));
  scored.sort((a, b) => compare(a.s, b.s));
  return scored.map((x) => x.item);
}

/** Infinity-safe ascending comparison (Infinity - Infinity would be NaN). */
function compare(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
