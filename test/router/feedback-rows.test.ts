import { describe, expect, it } from "vitest";
import { feedbackRows } from "../../src/router/feedback-rows.js";
import { parseLabelledRows } from "../../src/router/data.js";


describe("router export: rated log rows → training rows", () => {
  it("merges a prompt's ratings per model (the mean of repeats) and counts what training can use", () => {
    const out = feedbackRows([
      { id: "a", upstream_model: "small", feedback_score: 0, prompt: "2+2?" },
      { id: "b", upstream_model: "big", feedback_score: 1, prompt: "2+2?" },
      { id: "c", upstream_model: "small", feedback_score: 1, prompt: "2+2?" },
      { id: "d", upstream_model: "small", feedback_score: 0.5, prompt: " Capital of Peru? " },
      { id: "e", upstream_model: "big", feedback_score: 1, prompt: "" },
    ]);
    expect(out.rows).toEqual([
      { prompt: "2+2?", scores: { small: 0.5, big: 1 }, ids: ["a", "b", "c"] },
      { prompt: "Capital of Peru?", scores: { small: 0.5 }, ids: ["d"] },
    ]);
    expect(out.usable).toBe(1);
    expect(out.skipped).toBe(1);
    // What `router train` reads: the one-model prompt is left out there, the other kept.
    const text = out.rows.map((r) => JSON.stringify({ prompt: r.prompt, scores: r.scores })).join("\n");
    const parsed = parseLabelledRows(text);
    expect(parsed.rows.map((r) => r.outcomes)).toEqual([{ small: 0.5, big: 1 }]);
    expect(parsed.skipped.invalid).toBe(1);
  });
});
