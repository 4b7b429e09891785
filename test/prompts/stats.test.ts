/**
 * The evaluation's statistics against values worked out by hand or taken
 * from the literature (Wilson 1927; Newcombe 1998, table I), and the
 * report built from them: the winner, its comparisons, significance.
 */
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/prompts/eval-report.js";
import { bootstrapMean, meanInterval, pairedBootstrap, quantile, signTest, wilson } from "../../src/prompts/stats.js";

describe("Wilson's interval", () => {
  it.each([
    // Newcombe (1998), table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718.
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    // 10 of 10 and 0 of 10: the e2e test's figures.
    [10, 10, 0.7225, 1],
    [0, 10, 0, 0.2775],
  ])("%i of %i → [%f, %f]", (k, n, low, high) => {
    const ci = wilson(k, n);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it("is [0, 1] without data", () => {
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe("the sign test", () => {
  it("is exact: 8 wins of 8 → p = 2/256; ties do not count; 5–5 → 1", () => {
    const eight = signTest([1, 1, 1, 1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(eight).toMatchObject({ wins: 8, losses: 0 });
    expect(eight.p).toBeCloseTo(2 / 256, 12);
    expect(signTest([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]).p).toBe(1);
    expect(signTest([0.5], [0.5])).toEqual({ wins: 0, losses: 0, p: 1 });
  });

  it("9 wins, 1 loss → p = 2 · 11/1024; thousands of rows do not underflow", () => {
    expect(signTest([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]).p).toBeCloseTo(22 / 1024, 12);
    const a = Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const b = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const p = signTest(a, b).p;
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-10);
  });
});

describe("the bootstrap", () => {
  it("is seeded, and its interval holds the mean of graded scores", () => {
    const xs = [0.1, 0.4, 0.5, 0.9, 0.7, 0.3, 0.8, 0.6];
    const a = bootstrapMean(xs, 3);
    expect(bootstrapMean(xs, 3)).toEqual(a);
    expect(a.low).toBeLessThan(0.5375);
    expect(a.high).toBeGreaterThan(0.5375);
    expect(a.high - a.low).toBeLessThan(0.45);
  });

  it("picks Wilson for pass/fail scores and the bootstrap for graded ones", () => {
    expect(meanInterval([1, 0, 1, 1]).method).toBe("wilson");
    expect(meanInterval([1, 0.5, 1, 1]).method).toBe("bootstrap");
    expect(meanInterval([0.3, 0.3, 0.3]).ci).toEqual({ low: 0.3, high: 0.3 });
  });

  it("paired: what both find hard cancels out", () => {
    // b is a's score minus 0.1 on every row: the difference is 0.1 whatever the rows' spread.
    const a = [0.2, 0.9, 0.5, 0.7, 0.3, 1, 0.6, 0.4];
    const b = a.map((x) => x - 0.1);
    const d = pairedBootstrap(a, b);
    expect(d.diff).toBeCloseTo(0.1, 10);
    expect(d.ci.low).toBeCloseTo(0.1, 10);
    expect(d.ci.high).toBeCloseTo(0.1, 10);
  });

  it("quantile interpolates between ranks", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBe(0);
  });
});

describe("the report", () => {
  const about = { prompt: "p", id: "peval_x", created_at: "2026-01-01T00:00:00.000Z", scorer: "contains", model: null, dataset: null, judge_cost_usd: 0 };
  const run = (version: number, scores: number[]) => ({ version, scores, costUsd: 0.001 * version, p50Ms: 5, errors: 0 });

  it("names the highest mean the winner, significant when it beats every other version", () => {
    const r = buildReport([run(1, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), run(2, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), run(3, [1, 1, 1, 1, 1, 1, 1, 1, 1, 0])], about);
    expect(r.winner).toEqual({ version: 2, significant: false }); // 2 against 3 is one row: noise
    expect(r.comparisons.map((c) => [c.vs, c.diff, c.wins, c.losses])).toEqual([[1, 1, 10, 0], [3, 0.1, 1, 0]]);
    expect(r.results[1]).toEqual({ version: 2, n: 10, mean: 1, ci_low: 0.7225, ci_high: 1, cost_usd: 0.002, p50_ms: 5 });
    const two = buildReport([run(1, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), run(2, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1])], about);
    expect(two.winner).toEqual({ version: 2, significant: true });
  });

  it("a tie is won by the first listed, never significantly; one version has nothing to compare", () => {
    expect(buildReport([run(4, [1, 0]), run(5, [0, 1])], about).winner).toEqual({ version: 4, significant: false });
    expect(buildReport([run(1, [1, 1])], about)).toMatchObject({ winner: { version: 1, significant: false }, comparisons: [] });
  });
});
