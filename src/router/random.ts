/**
 * A seeded pseudo-random generator (mulberry32): training, fold splits and
 * the replay harness are deterministic given a seed.
 */
export type Random = () => number;

export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place; returns the array. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** Indices 0..n-1 split into `k` folds of near-equal size, after a seeded shuffle. */
export function folds(n: number, k: number, random: Random): number[][] {
  const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), random);
  const out: number[][] = Array.from({ length: k }, () => []);
  order.forEach((i, j) => out[j % k]!.push(i));
  return out;
}
