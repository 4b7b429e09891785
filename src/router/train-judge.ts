/**
 * The cascade's judge: given the prompt, the weak model's answer and the
 * router's score before any call, the expected gain of asking the strong
 * model too — a logistic pair (./train-pair.ts) over the answer's features
 * (./answer-features.ts), the prompt's hand-made features and that score.
 * Escalating the answers with the highest gain first gives the cascade's
 * quality–cost curve; its table holds the thresholds per quality.
 */
import { answerFeatures } from "./answer-features.js";
import { pairTable } from "./calibration.js";
import type { LabelledPrompt } from "./data.js";
import type { Featuriser } from "./featuriser.js";
import { fitStandardiser, promptFeatures, standardise, type Standardiser } from "./features.js";
import type { LogisticOptions } from "./logistic.js";
import type { JudgeState } from "./router-file.js";
import type { SparseVector } from "./sparse.js";
import { pairLabels, trainPair } from "./train-pair.js";

/** The judge's raw inputs for one answer. */
export function judgeInputs(prompt: string, answer: string, finishReason: string | null | undefined, precall: number): number[] {
  return [...answerFeatures(prompt, answer, finishReason), ...promptFeatures(prompt), precall];
}

export function judgeRow(raw: readonly number[], s: Standardiser): SparseVector {
  const z = standardise(raw, s);
  return { idx: Int32Array.from(z, (_, j) => j), val: Float64Array.from(z) };
}

/** The escalation score in 0…1 (higher = ask the stronger model) from the pair's expected gain. */
export function escalationScore(gain: number): number {
  return Math.min(1, Math.max(0, (1 + gain) / 2));
}

export function trainJudge(
  rows: readonly LabelledPrompt[],
  weak: string,
  strong: string,
  precall: readonly number[],
  _featuriser: Featuriser,
  folds: readonly number[][],
  options: LogisticOptions,
  onFit?: () => void,
): JudgeState | undefined {
  const kept: number[] = [];
  rows.forEach((r, i) => { if (r.responses?.[weak] !== undefined) kept.push(i); });
  if (kept.length < 20) return undefined;
  const position = new Map(kept.map((i, j) => [i, j]));
  const raw = kept.map((i) => judgeInputs(rows[i]!.prompt, rows[i]!.responses![weak]!, undefined, precall[i]!));
  const standardiser = fitStandardiser(raw);
  const design = raw.map((x) => judgeRow(x, standardiser));
  const strongOut = kept.map((i) => rows[i]!.outcomes[strong]!);
  const weakOut = kept.map((i) => rows[i]!.outcomes[weak]!);
  const subFolds = folds.map((f) => f.filter((i) => position.has(i)).map((i) => position.get(i)!)).filter((f) => f.length > 0);
  // Only a handful of dense columns: a firmer prior than the TF-IDF models need is not wanted.
  const fit = trainPair(design, design[0]!.idx.length, pairLabels(strongOut, weakOut), subFolds, { ...options, C: 10 }, onFit);
  const scores = fit.oof.map(escalationScore);
  return {
    model: weak,
    standardiser,
    pair: fit.state,
    table: pairTable(scores, kept.map((_, j) => ({ strong: strongOut[j]!, weak: weakOut[j]! }))),
  };
}
