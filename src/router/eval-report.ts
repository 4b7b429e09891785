/**
 * `router eval`: a router file against labelled prompts — the quality–cost
 * curve (quality as a share of the strong model's accuracy, against the
 * share of strong calls) next to random mixing, always-strong and
 * always-weak; the strong share the file's own threshold gives at the
 * target quality, and the smallest one that reaches it on this data. With
 * the weak model's answers in the data and a judge in the file, the
 * cascade's figures too. A ladder file is evaluated on its first rung (its
 * weakest model against the strongest).
 */
import type { LabelledPrompt } from "./data.js";
import { atThreshold, baselines, pointForQuality, qualityCurve, type CurvePoint, type PairOutcome } from "./evaluate.js";
import type { RouterModel } from "./router-model.js";
import { linePlot } from "./svg-plot.js";

export interface Operating {
  strongShare: number;
  quality: number;
}

export interface EvalReport {
  rows: number;
  strong: string;
  weak: string;
  strongAccuracy: number;
  weakAccuracy: number;
  targetQuality: number;
  curve: CurvePoint[];
  /** The file's threshold for the target quality, applied here. */
  calibrated: Operating;
  /** The smallest strong share reaching the target on this data (optimistic: chosen on the data it is measured on). */
  best: Operating;
  randomShare: number;
  cascade?: { calibrated: Operating; best: Operating; curve: CurvePoint[] };
  /** USD of a typical request on each model, when both are priced: the cost column. */
  prices?: { strong: number; weak: number };
}

export function evaluateRouter(model: RouterModel, rows: readonly LabelledPrompt[], targetQuality = 0.95, onProgress?: (done: number) => void): EvalReport {
  const weak = model.models[0]!.name;
  const strong = model.models[model.models.length - 1]!.name;
  const usable = rows.filter((r) => r.outcomes[weak] !== undefined && r.outcomes[strong] !== undefined);
  if (!usable.length) throw new Error(`no row has outcomes for both '${strong}' and '${weak}' (the router file's models)`);
  const outcomes: PairOutcome[] = usable.map((r) => ({ strong: r.outcomes[strong]!, weak: r.outcomes[weak]! }));
  const scores = usable.map((r, i) => {
    if (i % 100 === 0) onProgress?.(i);
    return model.score(r.prompt).scores[0]!;
  });
  const curve = qualityCurve(scores, outcomes);
  const b = baselines(outcomes);
  const op = (p: CurvePoint): Operating => ({ strongShare: p.strongShare, quality: p.quality });
  const report: EvalReport = {
    rows: usable.length, strong, weak, strongAccuracy: b.strongAccuracy, weakAccuracy: b.weakAccuracy, targetQuality, curve,
    calibrated: op(atThreshold(scores, outcomes, model.thresholds(targetQuality)[0]!)),
    best: op(pointForQuality(curve, targetQuality)),
    randomShare: b.randomShare(targetQuality),
  };
  const threshold = model.judgeThreshold(targetQuality);
  const answered = usable.map((r) => r.responses?.[weak]);
  if (threshold !== undefined && answered.every((a) => a !== undefined)) {
    const esc = usable.map((r, i) => model.judge(r.prompt, answered[i]!, undefined, scores[i]!)!);
    const c = qualityCurve(esc, outcomes);
    report.cascade = { calibrated: op(atThreshold(esc, outcomes, threshold)), best: op(pointForQuality(c, targetQuality)), curve: c };
  }
  return report;
}

/** The curve's quality at a strong share (linear between its points). */
export function qualityAt(curve: readonly CurvePoint[], share: number): number {
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1]!;
    const b = curve[i]!;
    if (b.strongShare >= share) return b.strongShare === a.strongShare ? b.quality : a.quality + ((share - a.strongShare) / (b.strongShare - a.strongShare)) * (b.quality - a.quality);
  }
  return curve[curve.length - 1]!.quality;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatEvalTable(r: EvalReport): string {
  const randomQuality = (s: number) => (r.weakAccuracy + s * (r.strongAccuracy - r.weakAccuracy)) / r.strongAccuracy;
  const cost = (s: number) => (r.prices ? `  ${pct((s * r.prices.strong + (1 - s) * r.prices.weak) / r.prices.strong).padStart(9)}` : "");
  const lines = [
    `${r.rows} prompts; strong ${r.strong}: ${pct(r.strongAccuracy)} right, weak ${r.weak}: ${pct(r.weakAccuracy)} right`,
    "",
    `strong calls   router quality   random mixing${r.cascade ? "   cascade" : ""}${r.prices ? "  cost vs all-strong" : ""}`,
  ];
  for (let i = 0; i <= 10; i++) {
    const s = i / 10;
    lines.push(`${pct(s).padStart(12)}   ${pct(qualityAt(r.curve, s)).padStart(14)}   ${pct(randomQuality(s)).padStart(13)}${r.cascade ? `   ${pct(qualityAt(r.cascade.curve, s)).padStart(7)}` : ""}${cost(s)}`);
  }
  const q = pct(r.targetQuality);
  lines.push(
    "",
    `always strong: 100.0% strong calls, quality 100.0%; always weak: 0.0% strong calls, quality ${pct(r.weakAccuracy / r.strongAccuracy)}`,
    `for ${q} quality: the router file's threshold → ${pct(r.calibrated.strongShare)} strong calls (quality ${pct(r.calibrated.quality)}); best on this data ${pct(r.best.strongShare)}; random mixing ${pct(r.randomShare)}`,
  );
  if (r.cascade) lines.push(`cascade (weak answer judged) for ${q}: threshold → ${pct(r.cascade.calibrated.strongShare)} strong calls (quality ${pct(r.cascade.calibrated.quality)}); best on this data ${pct(r.cascade.best.strongShare)}`);
  return `${lines.join("\n")}\n`;
}

export function evalPlot(r: EvalReport): string {
  const weakQ = r.weakAccuracy / r.strongAccuracy;
  const lo = Math.max(0, Math.floor(Math.min(weakQ, ...r.curve.map((p) => p.quality)) * 20) / 20 - 0.05);
  const hi = Math.min(1.5, Math.ceil(Math.max(1, ...r.curve.map((p) => p.quality)) * 20) / 20 + 0.02);
  const thin = (c: readonly CurvePoint[]) => c.filter((_, i) => i % Math.max(1, Math.floor(c.length / 300)) === 0 || i === c.length - 1).map((p): [number, number] => [p.strongShare, p.quality]);
  return linePlot([
    { name: "router", points: thin(r.curve), color: "#1f77b4" },
    ...(r.cascade ? [{ name: "cascade", points: thin(r.cascade.curve), color: "#2ca02c" }] : []),
    { name: "random mixing", points: [[0, weakQ], [1, 1]], color: "#999", dashed: true },
    { name: "always weak / strong", points: [[0, weakQ], [1, 1]], color: "#d62728", markers: true },
    { name: `router file @ ${Math.round(r.targetQuality * 100)}%`, points: [[r.calibrated.strongShare, r.calibrated.quality]], color: "#ff7f0e", markers: true },
    ...(r.cascade ? [{ name: `cascade judge @ ${Math.round(r.targetQuality * 100)}%`, points: [[r.cascade.calibrated.strongShare, r.cascade.calibrated.quality] as [number, number]], color: "#9467bd", markers: true }] : []),
  ], {
    title: `Quality vs strong calls: ${r.strong} / ${r.weak}`,
    xLabel: `share of calls to ${r.strong}`,
    yLabel: `quality (share of ${r.strong}'s accuracy)`,
    xRange: [0, 1],
    yRange: [lo, hi],
    hLine: { y: r.targetQuality, label: `${Math.round(r.targetQuality * 100)}% quality` },
  });
}
