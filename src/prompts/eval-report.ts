/**
 * An evaluation's report (DESIGN.md §7): per version its mean score with a
 * 95 % interval, n, cost and median latency; the winner (the highest mean)
 * and whether it is better than every other version beyond noise (the
 * paired bootstrap interval of the difference above 0); the comparisons
 * behind that verdict. `eval --json` prints it; GET …/evals lists it.
 */
import { formatDollars } from "../cost/index.js";
import { meanInterval, pairedBootstrap, r4, signTest } from "./stats.js";

export interface EvalResult {
  version: number;
  label?: string;
  n: number;
  mean: number;
  ci_low: number;
  ci_high: number;
  cost_usd: number;
  p50_ms: number;
}

export interface Comparison {
  /** The winner's version … */
  version: number;
  /** … against this one. */
  vs: number;
  /** mean(winner) − mean(vs), and its paired bootstrap 95 % interval. */
  diff: number;
  ci_low: number;
  ci_high: number;
  /** Rows the winner did better on, worse on (the others tie). */
  wins: number;
  losses: number;
  /** Exact two-sided sign test on those rows. */
  p_value: number;
}

export interface EvalReport {
  prompt: string;
  results: EvalResult[];
  winner: { version: number; significant: boolean };
  id: string;
  created_at: string;
  scorer: string;
  /** The model every version was run with (--model), else null: each version's own. */
  model: string | null;
  dataset: string | null;
  n: number;
  /** `wilson` (pass/fail scores) or `bootstrap` (graded), per version. */
  interval: Record<string, "wilson" | "bootstrap">;
  comparisons: Comparison[];
  /** Rows whose call or scoring failed (scored 0), per version. */
  errors: Record<string, number>;
  /** What a judge scorer's calls cost. */
  judge_cost_usd: number;
}

export interface VersionScores {
  version: number;
  label?: string;
  scores: number[];
  costUsd: number;
  p50Ms: number;
  errors: number;
}

/** Said when the bootstrap calls a difference real that rests on too few rows for the exact sign test to agree. */
export const FEW_ROWS = "  few rows differ: the exact sign test cannot confirm it (p >= 0.05); more rows would make sure";

const cost = (usd: number): number => Math.round(usd * 1e10) / 1e10;

/** The results, the winner and its comparisons, from each version's scores on the same rows. */
export function buildReport(runs: VersionScores[], about: Omit<EvalReport, "results" | "winner" | "comparisons" | "errors" | "interval" | "n">, seed = 1): EvalReport {
  const interval: Record<string, "wilson" | "bootstrap"> = {};
  const results: EvalResult[] = runs.map((r) => {
    const m = meanInterval(r.scores, seed);
    interval[String(r.version)] = m.method;
    return {
      version: r.version, ...(r.label === undefined ? {} : { label: r.label }), n: r.scores.length,
      mean: r4(m.mean), ci_low: r4(m.ci.low), ci_high: r4(m.ci.high), cost_usd: cost(r.costUsd), p50_ms: r.p50Ms,
    };
  });
  // The highest mean wins; on a tie the first listed (and nothing is significant).
  let best = 0;
  runs.forEach((r, i) => {
    if (results[i]!.mean > results[best]!.mean) best = i;
  });
  const winner = runs[best]!;
  const comparisons: Comparison[] = runs.filter((_, i) => i !== best).map((other) => {
    const b = pairedBootstrap(winner.scores, other.scores, seed);
    const s = signTest(winner.scores, other.scores);
    return { version: winner.version, vs: other.version, diff: r4(b.diff), ci_low: r4(b.ci.low), ci_high: r4(b.ci.high), wins: s.wins, losses: s.losses, p_value: Number(s.p.toPrecision(4)) };
  });
  const significant = comparisons.length > 0 && comparisons.every((c) => c.ci_low > 0);
  return {
    prompt: about.prompt, results, winner: { version: winner.version, significant },
    id: about.id, created_at: about.created_at, scorer: about.scorer, model: about.model, dataset: about.dataset,
    n: runs[0]?.scores.length ?? 0, interval, comparisons,
    errors: Object.fromEntries(runs.map((r) => [String(r.version), r.errors])),
    judge_cost_usd: cost(about.judge_cost_usd),
  };
}

/** Rows of cells as aligned columns (the first row the header). */
export const textTable = (cells: string[][]): string => {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
};

/** The report as a table and a verdict, for people. */
export function formatReport(r: EvalReport): string {
  const rows = [["VERSION", "LABEL", "N", "MEAN", "95% CI", "COST", "P50", "ERRORS"]];
  for (const x of r.results) {
    rows.push([String(x.version), x.label ?? "-", String(x.n), x.mean.toFixed(3), `[${x.ci_low.toFixed(3)}, ${x.ci_high.toFixed(3)}]`, `$${formatDollars(x.cost_usd)}`, `${Math.round(x.p50_ms)} ms`, String(r.errors[String(x.version)] ?? 0)]);
  }
  const lines = [`prompt ${r.prompt}, scorer ${r.scorer}, ${r.n} rows`, textTable(rows), ""];
  if (r.comparisons.length === 0) lines.push(`one version: nothing to compare (version ${r.winner.version})`);
  else {
    lines.push(`winner: version ${r.winner.version}, ${r.winner.significant ? "better than every other version beyond noise" : "NOT better beyond noise (more rows, or a larger difference, would tell)"}`);
    for (const c of r.comparisons) {
      lines.push(`  vs ${c.vs}: ${c.diff >= 0 ? "+" : ""}${c.diff.toFixed(3)} [${c.ci_low.toFixed(3)}, ${c.ci_high.toFixed(3)}] (paired bootstrap 95%), better on ${c.wins} rows, worse on ${c.losses}, sign test p = ${c.p_value}`);
    }
    if (r.winner.significant && r.comparisons.some((c) => c.p_value >= 0.05)) lines.push(FEW_ROWS);
  }
  if (r.judge_cost_usd > 0) lines.push(`the judge cost $${formatDollars(r.judge_cost_usd)}`);
  lines.push(`stored as ${r.id}`);
  return `${lines.join("\n")}\n`;
}
