/** Model globs and OpenAI's duration format: pure functions. */
import { describe, expect, it } from "vitest";
import { modelAllowed } from "../../../src/engine/quotas/limits.js";
import { formatDuration } from "../../../src/engine/quotas/rate-limit-headers.js";
import { waitMs } from "../../../src/engine/shared-state/sliding-window.js";

describe("modelAllowed", () => {
  it.each([
    [undefined, "anything", true],
    [[], "anything", true],
    [["*"], "openai/gpt-4o", true],
    [["gpt-4*"], "gpt-4o-mini", true],
    [["gpt-4*"], "gpt-3.5-turbo", false],
    [["gpt-4*"], "openai/gpt-4o", false], // whole-name: the provider prefix is part of the name
    [["anthropic/*"], "anthropic/claude-sonnet-4-5", true],
    [["anthropic/*"], "anthropic", false],
    [["smart", "cheap"], "cheap", true],
    [["gpt-4?"], "gpt-4o", true],
    [["gpt-4?"], "gpt-4o-mini", false],
    [["gpt-4.1"], "gpt-4x1", false], // dots are literal
    [["GPT-4*"], "gpt-4o", false], // case-sensitive, like routing
    [["a+b(c)"], "a+b(c)", true],
  ] as const)("%j allows %s: %s", (models, model, expected) => {
    expect(modelAllowed({ models: models as string[] | undefined }, model)).toBe(expected);
  });
});

describe("formatDuration (OpenAI's x-ratelimit-reset-* format)", () => {
  it.each([
    [0, "0s"], [20, "20ms"], [999, "999ms"], [1_000, "1s"], [1_500, "1.5s"], [6_000, "6s"],
    [60_000, "1m0s"], [360_000, "6m0s"], [105_000, "1m45s"], [90_250, "1m30.25s"], [3_723_000, "1h2m3s"],
  ])("%i ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("waitMs", () => {
  it("is 0 when it fits, Infinity when it never can", () => {
    expect(waitMs(0, 0, 0, 10, 1)).toBe(0);
    expect(waitMs(0, 0, 0, 10, 11)).toBe(Infinity);
  });

  it("waits for the previous minute's share to shrink", () => {
    // 10 in the previous minute, none now, 30 s in: they weigh 5; 10 more need the weight at 0.
    expect(waitMs(10, 0, 30_000, 10, 6)).toBe(6_000);
  });
});
