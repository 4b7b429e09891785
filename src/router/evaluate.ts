/**
 * The quality–cost curve of a router on labelled prompts. Routing the
 * prompts whose score is at least a threshold to the strong model and the
 * rest to the weak one gives, for each threshold, a share of strong calls
 * (the cost) and a quality: the mean outcome of the mix, reported as a
 * share of the strong model's own (quality 1 = as good as always strong).
 * Random mixing (the baseline any router must beat) is the straight line
 * from always-weak to always-strong.
 */

/** One prompt's outcome with each model, 0…1 (correct = 1). */
export interface PairOutcome {
  strong: number;
  weak: number;
}

export interface CurvePoint {
  /** Prompts with score ≥ threshold go to the strong model. */
  threshold: number;
  strongShare: number;
  /** Mean outcome of the mix. */
  accuracy: number;
  /** accuracy ÷ the strong model's accuracy. */
  quality: number;
}

export interface Baselines {
  strongAccuracy: number;
  weakAccuracy: number;
  /** Random mixing's strong share for a quality: the straight line's. */
  randomShare(quality: number): number;
}

export function baselines(outcomes: readonly PairOutcome[]): Baselines {
  const n = outcomes.length || 1;
  const strong = outcomes.reduce((s, o) => s + o.strong, 0) / n;
  const weak = outcomes.reduce((s, o) => s + o.weak, 0) / n;
  return {
    strongAccuracy: strong,
    weakAccuracy: weak,
    randomShare: (q) => (strong === weak ? 0 : Math.min(1, Math.max(0, (q * strong - weak) / (strong - weak)))),
  };
}

/**
 * Every operating point, from all-weak (threshold +∞) to all-strong:
 * prompts in score order, highest first; prompts with equal scores move
 * together (one threshold cannot split them).
 */
export function qualityCurve(scores: ArrayLike<number>, outcomes: readonly PairOutcome[]): CurvePoint[] {
  const n = outcomes.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const { strongAccuracy } = baselines(outcomes);
  let sum = outcomes.reduce((s, o) => s + o.weak, 0);
  const point = (threshold: number, k: number): CurvePoint => ({
    threshold,
    strongShare: n ? k / n : 0,
    accuracy: n ? sum / n : 0,
    quality: strongAccuracy ? sum / n / strongAccuracy : 1,
  });
  const out = [point(Number.POSITIVE_INFINITY, 0)];
  for (let i = 0; i < n;) {
    const s = scores[order[i]!]!;
    let j = i;
    while (j < n && scores[order[j]!] === s) {
      const o = outcomes[order[j]!]!;
      sum += o.strong - o.weak;
      j++;
    }
    // The threshold between this group and the next lower score: a new prompt scored in between is judged like its neighbours.
    const next = j < n ? scores[order[j]!]! : Number.NEGATIVE_INFINITY;
    out.push(point(Number.isFinite(next) ? (s + next) / 2 : s, j));
    i = j;
  }
  return out;
}

/** The cheapest operating point whose quality reaches `quality` (the all-strong end when none does). */
export function pointForQuality(curve: readonly CurvePoint[], quality: number): CurvePoint {
  for (const p of curve) if (p.quality >= quality - 1e-12) return p;
  return curve[curve.length - 1]!;
}

/** What a fixed threshold does on other prompts: the share sent to the strong model and the quality reached. */
export function atThreshold(scores: ArrayLike<number>, outcomes: readonly PairOutcome[], threshold: number): CurvePoint {
  const n = outcomes.length;
  let k = 0;
  let sum = 0;
  let strong = 0;
  for (let i = 0; i < n; i++) {
    const o = outcomes[i]!;
    strong += o.strong;
    if (scores[i]! >= threshold) {
      k++;
      sum += o.strong;
    } else sum += o.weak;
  }
  return { threshold, strongShare: n ? k / n : 0, accuracy: n ? sum / n : 0, quality: strong ? sum / strong : 1 };
}

/**
 * Area between the curve and random mixing, over the strong share (0 = no
 * better than random): one number to compare routers by, over every
 * operating point rather than one.
 */
export function liftOverRandom(curve: readonly CurvePoint[], outcomes: readonly PairOutcome[]): number {
  const { strongAccuracy, weakAccuracy } = baselines(outcomes);
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    const random = (p: CurvePoint) => weakAccuracy + p.strongShare * (strongAccuracy - weakAccuracy);
    area += ((a.accuracy - random(a) + b.accuracy - random(b)) / 2) * (b.strongShare - a.strongShare);
  }
  return strongAccuracy ? area / strongAccuracy : 0;
}
