/**
 * From out-of-fold scores to the thresholds a deployment routes with.
 * `quality` in the config is a share of the strongest model's accuracy over
 * all traffic; the table holds, for a grid of qualities, the threshold that
 * reached it on the training prompts (scored out of fold, as new prompts
 * would be) and the strong share it took.
 *
 * A ladder (more than two models, weakest first) routes a prompt to the
 * first rung whose score is below that rung's threshold, else to the
 * strongest model. Its thresholds are chosen together: each rung takes its
 * own threshold for a common level λ, and λ rises until the simulated mix
 * reaches the quality asked for.
 */
import { pointForQuality, qualityCurve, type PairOutcome } from "./evaluate.js";

/** Qualities the tables are computed for: 0.50…1.00 in steps of 0.0025. */
export const QUALITY_GRID: readonly number[] = Array.from({ length: 201 }, (_, i) => Math.round((0.5 + i * 0.0025) * 10_000) / 10_000);

export interface PairTable {
  thresholds: number[];
  strongShare: number[];
}

export function pairTable(scores: ArrayLike<number>, outcomes: readonly PairOutcome[], grid = QUALITY_GRID): PairTable {
  const curve = qualityCurve(scores, outcomes);
  const points = grid.map((q) => pointForQuality(curve, q));
  return { thresholds: points.map((p) => finite(p.threshold)), strongShare: points.map((p) => p.strongShare) };
}

/** ±Infinity does not survive JSON: a threshold above every score (or below) is as good. */
function finite(t: number): number {
  return t === Number.POSITIVE_INFINITY ? 2 : t === Number.NEGATIVE_INFINITY ? -1 : t;
}

/** Which model the ladder picks for one prompt: the first rung below its threshold, else the strongest (index = rungs). */
export function ladderPick(scores: ArrayLike<number>, thresholds: ArrayLike<number>): number {
  for (let r = 0; r < thresholds.length; r++) if (scores[r]! < thresholds[r]!) return r;
  return thresholds.length;
}

export interface LadderTable {
  /** Per grid quality, one threshold per rung. */
  thresholds: number[][];
  /** Per grid quality, the share of prompts each model got (weakest first). */
  shares: number[][];
}

/**
 * `rungScores[r][i]`: rung r's out-of-fold score of prompt i; `outcomes[m][i]`:
 * model m's outcome (weakest first, the strongest last); `rungTables`: each
 * rung's own pair table.
 */
export function ladderTable(rungScores: readonly ArrayLike<number>[], outcomes: readonly ArrayLike<number>[], rungTables: readonly PairTable[], grid = QUALITY_GRID): LadderTable {
  const n = outcomes[0]?.length ?? 0;
  const strong = outcomes[outcomes.length - 1]!;
  let strongSum = 0;
  for (let i = 0; i < n; i++) strongSum += strong[i]!;
  const simulate = (level: number) => {
    const thresholds = rungTables.map((t) => t.thresholds[level]!);
    const counts = new Array<number>(outcomes.length).fill(0);
    let sum = 0;
    const s = new Array<number>(rungScores.length);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < rungScores.length; r++) s[r] = rungScores[r]![i]!;
      const m = ladderPick(s, thresholds);
      counts[m]!++;
      sum += outcomes[m]![i]!;
    }
    return { thresholds, shares: counts.map((c) => (n ? c / n : 0)), quality: strongSum ? sum / strongSum : 1 };
  };
  const levels = grid.map((_, l) => simulate(l));
  const out: LadderTable = { thresholds: [], shares: [] };
  for (const q of grid) {
    const hit = levels.find((l) => l.quality >= q - 1e-12) ?? levels[levels.length - 1]!;
    out.thresholds.push(hit.thresholds);
    out.shares.push(hit.shares);
  }
  return out;
}

/** The grid index to use for a configured quality: the first grid quality at or above it (never promise less). */
export function gridIndex(quality: number, grid = QUALITY_GRID): number {
  for (let i = 0; i < grid.length; i++) if (grid[i]! >= quality - 1e-9) return i;
  return grid.length - 1;
}
