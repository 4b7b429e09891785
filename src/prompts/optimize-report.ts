/**
 * What `liaison prompts optimize` reports (`--json` prints it whole): every
 * candidate with its lineage and its scores on the training split (and, for
 * the final beam, on the held-out split), the proposals rejected and why,
 * the winner against the original on the held-out rows, and the version
 * saved (if any).
 */
import { formatDollars } from "../cost/index.js";
import type { PromptMessage } from "./definition.js";
import { FEW_ROWS, textTable } from "./eval-report.js";

export interface Scores {
  n: number;
  mean: number;
  ci_low: number;
  ci_high: number;
}

export interface OptimizeReport {
  prompt: string;
  id: string;
  created_at: string;
  base_version: number;
  scorer: string;
  proposer: string;
  model: string | null;
  seed: number;
  split: { train: number; holdout: number };
  /** Rounds run (fewer than asked when a template was already perfect on the training split). */
  rounds: number;
  candidates: {
    id: string;
    origin: "original" | "rewrite" | "fewshot";
    parent: string | null;
    round: number;
    /** Worked examples in it. */
    demos: number;
    train: Scores | null;
    /** Run only for the original and the final beam. */
    holdout: Scores | null;
    messages: PromptMessage[];
  }[];
  rejected: { parent: string; round: number; reason: string }[];
  original: { candidate: string; holdout: Scores };
  best: { candidate: string; holdout: Scores };
  /** The winner against the original on the held-out rows: paired bootstrap and sign test. */
  comparison: { diff: number; ci_low: number; ci_high: number; wins: number; losses: number; p_value: number; significant: boolean };
  /** Whether the winner beat the original on the held-out rows. */
  improved: boolean;
  /** The new version, never labelled by the tool. */
  saved: { version: number } | null;
  /** Every call made: candidates, proposer, judge. */
  cost_usd: number;
}

const sc = (s: Scores | null): string => (s ? `${s.mean.toFixed(3)} [${s.ci_low.toFixed(3)}, ${s.ci_high.toFixed(3)}]` : "-");

export function formatOptimizeReport(r: OptimizeReport): string {
  const lines = [
    `prompt ${r.prompt} version ${r.base_version}, scorer ${r.scorer}, proposer ${r.proposer}, seed ${r.seed}: ${r.split.train} training rows, ${r.split.holdout} held out, ${r.rounds} round${r.rounds === 1 ? "" : "s"}`,
    "",
  ];
  const rows = [["CANDIDATE", "FROM", "ROUND", "TRAIN (95% CI)", "HELD-OUT (95% CI)"]];
  for (const c of r.candidates) rows.push([c.id, c.parent ? `${c.origin} of ${c.parent}` : c.origin, String(c.round), sc(c.train), sc(c.holdout)]);
  lines.push(textTable(rows));
  if (r.rejected.length) lines.push("", `${r.rejected.length} proposal${r.rejected.length === 1 ? "" : "s"} rejected, e.g. ${r.rejected[0]!.reason}`);
  const c = r.comparison;
  lines.push("", `best on the held-out rows: ${r.best.candidate} ${sc(r.best.holdout)} against the original's ${sc(r.original.holdout)}`);
  lines.push(`  difference ${c.diff >= 0 ? "+" : ""}${c.diff.toFixed(3)} [${c.ci_low.toFixed(3)}, ${c.ci_high.toFixed(3)}] (paired bootstrap 95%), ${c.significant ? "beyond noise" : "not beyond noise"}; sign test p = ${c.p_value}`);
  if (c.significant && c.p_value >= 0.05) lines.push(FEW_ROWS);
  if (r.saved) lines.push(`saved as version ${r.saved.version} (no label moved: review it, then PUT /v1/prompts/${r.prompt}/labels/production {"version": ${r.saved.version}})`);
  else lines.push(r.improved ? "not saved (--no-save)" : "nothing saved: no variant beat the original on the held-out rows");
  lines.push(`cost $${formatDollars(r.cost_usd)}`);
  return `${lines.join("\n")}\n`;
}
