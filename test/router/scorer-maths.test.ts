/**
 * The scorer's maths against hand-computed cases: TF-IDF weights, the
 * logistic fit, the kNN competence, the blend, the quality curve and its
 * thresholds, the hand-made and answer features.
 */
import { describe, expect, it } from "vitest";
import { answerFeatures, ANSWER_FEATURES, evaluate } from "../../src/router/answer-features.js";
import { blendScore, fitBlend } from "../../src/router/blend.js";
import { gridIndex, ladderPick, ladderTable, pairTable } from "../../src/router/calibration.js";
import { atThreshold, baselines, pointForQuality, qualityCurve } from "../../src/router/evaluate.js";
import { fitStandardiser, promptFeatures, PROMPT_FEATURES, standardise } from "../../src/router/features.js";
import { KnnMemory } from "../../src/router/knn.js";
import { Logistic, sigmoid } from "../../src/router/logistic.js";
import { dotSparse, topTerms, type SparseVector } from "../../src/router/sparse.js";
import { Tfidf } from "../../src/router/tfidf.js";
import { terms, words } from "../../src/router/tokenize.js";

const vec = (idx: number[], val: number[]): SparseVector => ({ idx: Int32Array.from(idx), val: Float64Array.from(val) });
const feature = (names: readonly string[], values: number[], name: string) => values[names.indexOf(name)]!;

describe("tokens and TF-IDF", () => {
  it("folds numbers to their digit count and keeps arithmetic symbols", () => {
    expect(words("What is 12 + 345.5?")).toEqual(["what", "is", "#2", "+", "#4"]);
    expect(terms("a b c")).toEqual(["a", "b", "c", "a b", "b c"]);
  });

  it("weighs terms by sublinear tf × smoothed idf, at unit length", () => {
    // Three prompts; unigrams and bigrams, min_df 1, nothing dropped for frequency.
    const tf = Tfidf.fit(["cat dog", "cat cat", "bird"], { minDf: 1, maxDfShare: 1 });
    const col = (t: string) => tf.state.terms.indexOf(t);
    // idf = ln((1 + 3) / (1 + df)) + 1: "cat" in 2 prompts, "dog" in 1.
    expect(tf.state.idf[col("cat")]).toBeCloseTo(Math.log(4 / 3) + 1, 12);
    expect(tf.state.idf[col("dog")]).toBeCloseTo(Math.log(2) + 1, 12);
    // "cat cat": tf(cat) = 2 → 1 + ln 2; tf("cat cat") = 1; then unit length.
    const v = tf.vector("cat cat");
    const cat = (1 + Math.log(2)) * (Math.log(4 / 3) + 1);
    const catcat = Math.log(2) + 1;
    const n = Math.hypot(cat, catcat);
    expect(v.val[Array.from(v.idx).indexOf(col("cat"))]).toBeCloseTo(cat / n, 12);
    expect(v.val[Array.from(v.idx).indexOf(col("cat cat"))]).toBeCloseTo(catcat / n, 12);
    expect(dotSparse(v, v)).toBeCloseTo(1, 12);
    // Unknown terms are ignored.
    expect(tf.vector("zebra").idx.length).toBe(0);
  });

  it("keeps an example's strongest terms, renormalised", () => {
    const t = topTerms(vec([1, 5, 9], [0.1, 0.7, 0.2]), 2);
    expect(Array.from(t.idx)).toEqual([5, 9]);
    expect(t.val[0]).toBeCloseTo(0.7 / Math.hypot(0.7, 0.2), 12);
  });
});

describe("logistic regression", () => {
  it("recovers the log-odds of each group (no prior to speak of)", () => {
    // x = 0: 3 of 4 positive → b = ln 3; x = 1: 1 of 4 positive → w + b = ln(1/3).
    const rows = [...Array(4)].map(() => vec([], [])).concat([...Array(4)].map(() => vec([0], [1])));
    const y = [1, 1, 1, 0, 1, 0, 0, 0];
    const m = Logistic.fit(rows, y, 1, { C: 1e9, tolerance: 1e-10, maxIterations: 500 });
    expect(m.state.b).toBeCloseTo(Math.log(3), 4);
    expect(m.state.w[0]).toBeCloseTo(-2 * Math.log(3), 4);
    expect(m.probability(vec([0], [1]))).toBeCloseTo(0.25, 4);
  });

  it("shrinks the weight by ‖w‖²/2C, as the gradient at the optimum says", () => {
    const rows = [vec([0], [1]), vec([0], [-1]), vec([0], [1]), vec([0], [-1])];
    const y = [1, 0, 1, 1];
    const C = 0.5;
    const m = Logistic.fit(rows, y, 1, { C, tolerance: 1e-12, maxIterations: 500 });
    const { w: [w], b } = m.state as { w: [number]; b: number };
    // ∂/∂w: Σ (σ(z_i) − y_i) x_i + w / C = 0; ∂/∂b: Σ (σ(z_i) − y_i) = 0.
    let gw = w / C;
    let gb = 0;
    rows.forEach((r, i) => {
      const e = sigmoid(w * r.val[0]! + b) - y[i]!;
      gw += e * r.val[0]!;
      gb += e;
    });
    expect(Math.abs(gw)).toBeLessThan(1e-6);
    expect(Math.abs(gb)).toBeLessThan(1e-6);
  });
});

describe("kNN competence", () => {
  it("is the similarity²-weighted mean label of the nearest examples, shrunk to the mean by the prior", () => {
    const mem = new KnnMemory({
      options: { k: 2, power: 2, prior: 1, terms: 10, maxOnline: 100 },
      examples: [
        { idx: [0], val: [1], y: [1], w: 1 },
        { idx: [0, 1], val: [0.6, 0.8], y: [0], w: 1 },
        { idx: [2], val: [1], y: [-1], w: 1 },
      ],
    });
    // Query along term 0: similarities 1, 0.6, 0 → the two nearest.
    const mean = 0; // (1 + 0 − 1) / 3
    const expected = (1 * 1 + 0.36 * 0 + 1 * mean) / (1 + 0.36 + 1);
    expect(mem.competence(vec([0], [1]), [0])[0]).toBeCloseTo(expected, 12);
    // Leaving the first example out (out-of-fold): only the second is near.
    expect(mem.competence(vec([0], [1]), [0], 0)[0]).toBeCloseTo((0.36 * 0 + mean) / (0.36 + 1), 12);
    // A query sharing no term gets the prior: the mean label.
    expect(mem.competence(vec([7], [1]), [0])[0]).toBeCloseTo(mean, 12);
  });

  it("learns online: an added example moves its neighbours' competence; unobserved labels are skipped", () => {
    const mem = new KnnMemory({ options: { k: 5, power: 2, prior: 1, terms: 10, maxOnline: 100 }, examples: [{ idx: [0], val: [1], y: [0, 0], w: 1 }] });
    const before = mem.competence(vec([0], [1]), [0, 0]);
    mem.add(vec([0], [1]), [1, Number.NaN]);
    const after = mem.competence(vec([0], [1]), [0, 0]);
    // Rung 0: (1·0 + 1·1 + 1·mean(0.5)) / 3; rung 1 saw nothing new: unchanged.
    expect(after[0]).toBeCloseTo((0 + 1 + 0.5) / 3, 12);
    expect(after[1]).toBeCloseTo(before[1]!, 12);
  });
});

describe("blend", () => {
  it("recovers an exact linear relation and maps the gain to 0…1", () => {
    const x = [[0, 1], [1, 0], [1, 1], [2, 3], [0.5, -1]];
    const y = x.map(([a, b]) => 0.1 + 0.5 * a! - 0.2 * b!);
    const b = fitBlend(x, y, 0);
    expect(b.intercept).toBeCloseTo(0.1, 9);
    expect(b.weights[0]).toBeCloseTo(0.5, 9);
    expect(b.weights[1]).toBeCloseTo(-0.2, 9);
    expect(blendScore(b, [1, 0])).toBeCloseTo((1 + 0.6) / 2, 9);
    expect(blendScore({ intercept: 5, weights: [] }, [])).toBe(1);
  });
});

describe("the quality–cost curve", () => {
  // Strong right everywhere but prompt 3; weak right on 0 and 3.
  const outcomes = [{ strong: 1, weak: 1 }, { strong: 1, weak: 0 }, { strong: 1, weak: 0 }, { strong: 0, weak: 1 }];
  const scores = [0.1, 0.9, 0.6, 0.4];

  it("adds prompts to the strong model in score order", () => {
    const c = qualityCurve(scores, outcomes);
    // Strong accuracy 3/4; all weak: 2/4 → quality 2/3; + prompt 1: 3/4 → 1; + prompt 2: 4/4 → 4/3; + prompt 3: 3/4; + prompt 0: 3/4.
    expect(c.map((p) => p.strongShare)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(c.map((p) => p.quality)).toEqual([2 / 3, 1, 4 / 3, 1, 1].map((q) => expect.closeTo(q, 12)));
    expect(c[1]!.threshold).toBeCloseTo((0.9 + 0.6) / 2, 12);
    expect(pointForQuality(c, 0.95).strongShare).toBe(0.25);
    expect(atThreshold(scores, outcomes, 0.5)).toMatchObject({ strongShare: 0.5, quality: expect.closeTo(4 / 3, 12) });
  });

  it("gives random mixing a straight line", () => {
    const b = baselines(outcomes);
    expect(b.strongAccuracy).toBe(0.75);
    expect(b.weakAccuracy).toBe(0.5);
    // q · 0.75 = 0.5 + s · 0.25 → s = (0.95 · 0.75 − 0.5) / 0.25.
    expect(b.randomShare(0.95)).toBeCloseTo((0.95 * 0.75 - 0.5) / 0.25, 12);
  });

  it("moves tied scores together", () => {
    const c = qualityCurve([0.5, 0.5, 0.1], [{ strong: 1, weak: 0 }, { strong: 1, weak: 0 }, { strong: 1, weak: 1 }]);
    expect(c.map((p) => p.strongShare)).toEqual([0, 2 / 3, 1]);
  });

  it("tables a threshold per quality and picks the first grid point at or above a configured one", () => {
    const t = pairTable(scores, outcomes, [0.9, 1.2]);
    expect(t.thresholds[0]).toBeCloseTo(0.75, 12);
    expect(t.strongShare).toEqual([0.25, 0.5]);
    expect(gridIndex(0.95, [0.9, 0.95, 1])).toBe(1);
    expect(gridIndex(0.951, [0.9, 0.95, 1])).toBe(2);
  });

  it("walks a ladder: the first rung under its threshold, else the strongest", () => {
    expect(ladderPick([0.2, 0.9], [0.5, 0.5])).toBe(0);
    expect(ladderPick([0.7, 0.3], [0.5, 0.5])).toBe(1);
    expect(ladderPick([0.7, 0.9], [0.5, 0.5])).toBe(2);
    // Two rungs, three models: the joint table reaches the quality asked for on the data it saw.
    const rungScores = [[0.9, 0.1, 0.5], [0.9, 0.1, 0.2]];
    const out = [[0, 1, 0], [0, 1, 1], [1, 1, 1]];
    const tables = rungScores.map((s, r) => pairTable(s, s.map((_, i) => ({ strong: out[2]![i]!, weak: out[r]![i]! })), [0.5, 1]));
    const ladder = ladderTable(rungScores, out, tables, [0.5, 1]);
    expect(ladder.shares[1]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const picks = [0, 1, 2].map((i) => ladderPick([rungScores[0]![i]!, rungScores[1]![i]!], ladder.thresholds[1]!));
    expect(picks.filter((m, i) => out[m]![i] === 1).length).toBe(3);
  });
});

describe("features", () => {
  it("counts what a prompt is made of", () => {
    const f = promptFeatures("How many apples are not red? Tom has 3 apples and 4.5 pears.\nA. 1\nB. 2");
    expect(f).toHaveLength(PROMPT_FEATURES.length);
    expect(feature(PROMPT_FEATURES, f, "numbers")).toBeCloseTo(Math.log1p(4), 12);
    expect(feature(PROMPT_FEATURES, f, "negations")).toBeCloseTo(Math.log1p(1), 12);
    expect(feature(PROMPT_FEATURES, f, "options")).toBe(2);
    expect(feature(PROMPT_FEATURES, f, "numeric_options")).toBe(1);
    const s = fitStandardiser([[1, 5], [3, 5]]);
    expect(s).toEqual({ mean: [2, 5], sd: [1, 1] });
    expect(standardise([4, 5], s)).toEqual([2, 0]);
  });

  it("recomputes an answer's arithmetic and reads its final answer", () => {
    expect(evaluate("2/3*60")).toBeCloseTo(40, 12);
    expect(evaluate("(3 + 4) × 2")).toBe(14);
    expect(evaluate("3 apples")).toBeUndefined();
    const a = answerFeatures("She has 3 and 4.", "<<2*3=6>>6 and 3 + 4 = 8.\n#### 8", "stop");
    expect(feature(ANSWER_FEATURES, a, "equations")).toBeCloseTo(Math.log1p(2), 12);
    expect(feature(ANSWER_FEATURES, a, "arithmetic_errors")).toBeCloseTo(Math.log1p(1), 12);
    expect(feature(ANSWER_FEATURES, a, "final_clean")).toBe(1);
    expect(feature(ANSWER_FEATURES, a, "final_matches_last_step")).toBe(1);
    expect(feature(ANSWER_FEATURES, answerFeatures("x", "So the total is 130,00", null), "cut_off")).toBe(1);
    expect(feature(ANSWER_FEATURES, answerFeatures("x", "Fine.", "length"), "cut_off")).toBe(1);
    expect(feature(ANSWER_FEATURES, answerFeatures("x", "I'm sorry, I cannot help with that.", "stop"), "refusal")).toBe(1);
  });
});
