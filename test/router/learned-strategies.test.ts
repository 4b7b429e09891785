/**
 * The `learned` and `cascade` strategies on their own: which target a
 * prompt goes to, what is recorded, how a router file's models are matched
 * to targets, what the cascade's judge escalates, and how feedback on a
 * request teaches the router so a later decision changes.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import { cascadeStrategy, doubtOf } from "../../src/engine/routing/cascade.js";
import { learnedStrategy } from "../../src/engine/routing/learned.js";
import { planTargets } from "../../src/engine/routing/learned-targets.js";
import { answerText, promptText } from "../../src/engine/routing/prompt-text.js";
import { PendingPrompts, RouterFeedback } from "../../src/engine/routing/router-feedback.js";
import { LiveTargetStats } from "../../src/engine/routing/target-stats.js";
import type { RoutedCall, StrategyContext, TargetRef } from "../../src/engine/routing/types.js";
import type { ProviderAdapter } from "../../src/providers/types.js";
import { RouterModel } from "../../src/router/router-model.js";
import { trainRouter } from "../../src/router/train.js";
import { EASY_PROMPT, HARD_PROMPT, STRONG, syntheticRows, WEAK } from "./synthetic.js";

const target = (key: string, price?: number): TargetRef => {
  const [provider, model] = key.split("/") as [string, string];
  return { key, provider: { name: provider } as ProviderAdapter, model, weight: 1, priority: 0, ...(price === undefined ? {} : { price: { input: price, output: price } }) };
};
const priceOf = (t: TargetRef) => t.price?.input;

interface Recorded { score?: number; target?: string; escalated: string[] }
function call(prompt: string, id = "req_1", stream = false): RoutedCall & { recorded: Recorded } {
  const recorded: Recorded = { escalated: [] };
  return {
    request: { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: prompt }] },
    stream,
    recorded,
    rec: {
      requestId: id,
      routed(score, t) { recorded.score = score; recorded.target = t; },
      escalated(t) {
        if (recorded.escalated.includes(t)) return false;
        recorded.escalated.push(t);
        return true;
      },
    },
  };
}
const ctx = (c: RoutedCall): StrategyContext => ({ route: "smart", cls: { size: "small", tools: false, stream: false }, stats: new LiveTargetStats(), call: c });

const file = trainRouter(syntheticRows(240), { seed: 3 });
const cheap = target("openai/gpt-4o-mini", 0.15);
const dear = target("openai/gpt-4o", 2.5);

describe("matching a router file's models to targets", () => {
  it("by name first (case and vendor/ ignored), then by price for a pair", () => {
    const named = planTargets(["mistralai/Mixtral-8x7B", "gpt-4"], [target("groq/mixtral-8x7b", 9), target("openai/gpt-4", 1)], priceOf);
    expect(named.strong.map((t) => t.key)).toEqual(["openai/gpt-4"]);
    expect(named.rungs[0]!.targets.map((t) => t.key)).toEqual(["groq/mixtral-8x7b"]);
    const priced = planTargets([WEAK, STRONG], [dear, cheap, target("x/unpriced")], priceOf);
    expect(priced.strong).toEqual([dear]);
    expect(priced.rungs[0]!.targets).toEqual([cheap]);
    // Fallbacks: strongest first, unmatched last.
    expect(priced.qualityOrder.map((t) => t.key)).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini", "x/unpriced"]);
  });

  it("refuses targets it cannot tell apart", () => {
    expect(() => planTargets([WEAK, STRONG], [target("a/x"), target("b/y")], priceOf)).toThrow(/strongest model/);
  });
});

describe("learned", () => {
  it("sends a hard prompt to the strong target and an easy one to the cheap target, recording the score", () => {
    const s = learnedStrategy({ route: "smart", model: new RouterModel(file), plan: planTargets([WEAK, STRONG], [cheap, dear], priceOf), quality: 0.95 });
    const hard = call(HARD_PROMPT);
    expect(s.order([cheap, dear], ctx(hard))).toEqual([dear, cheap]);
    expect(hard.recorded.target).toBe(dear.key);
    const easy = call(EASY_PROMPT);
    expect(s.order([cheap, dear], ctx(easy))).toEqual([cheap, dear]);
    expect(easy.recorded.score).toBeLessThan(hard.recorded.score!);
    // Without a call to read, it falls back to quality order.
    expect(s.order([cheap, dear], { route: "smart", cls: { size: "small", tools: false, stream: false }, stats: new LiveTargetStats() })).toEqual([dear, cheap]);
  });

  it("changes a later decision after feedback that the cheap answers were wrong", async () => {
    const s = learnedStrategy({ route: "smart", model: new RouterModel(file), plan: planTargets([WEAK, STRONG], [cheap, dear], priceOf), quality: 0.95 });
    let flipped = 0;
    for (let i = 0; i < 30 && !flipped; i++) {
      const c = call(EASY_PROMPT, `req_${i}`);
      const first = s.order([cheap, dear], ctx(c))[0]!;
      if (first === dear) flipped = i;
      else expect(await s.feedback({ requestId: `req_${i}`, served: first.key, score: 0 })).toBe(true);
    }
    expect(flipped).toBeGreaterThan(0);
    // Feedback on a request nobody remembers teaches nothing.
    expect(await s.feedback({ requestId: "req_unknown", served: cheap.key, score: 0 })).toBe(false);
  });

  it("shares what it learns through the feedback channel", async () => {
    const channel = new RouterFeedback();
    const model = new RouterModel(file);
    const s = learnedStrategy({ route: "smart", model, plan: planTargets([WEAK, STRONG], [cheap, dear], priceOf), quality: 0.95, feedback: channel });
    const before = model.memory;
    s.order([cheap, dear], ctx(call(EASY_PROMPT, "req_a")));
    expect(await channel.submit({ route: "smart", requestId: "req_a", served: cheap.key, score: 1 })).toBe(true);
    expect(model.memory).toBe(before + 1);
    expect(await channel.submit({ route: "other", requestId: "req_a", served: cheap.key, score: 1 })).toBe(false);
    await channel.close();
  });
});

describe("cascade", () => {
  const answer = (content: string, finish = "stop") => ({ choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });

  it("judges cut-off, empty and refused answers doubtful, and leaves good ones and tool calls alone", () => {
    expect(doubtOf(answer("Paris.", "length"))).toBe("cut off");
    expect(doubtOf(answer("  "))).toBe("empty");
    expect(doubtOf(answer("I'm sorry, but I can't help with that."))).toBe("refused");
    expect(doubtOf(answer("", "content_filter"))).toBe("refused");
    expect(doubtOf(answer("Paris."))).toBeUndefined();
    expect(doubtOf({ choices: [{ message: { content: null, tool_calls: [{ id: "t" }] }, finish_reason: "tool_calls" }] })).toBeUndefined();
  });

  it("escalates a doubtful answer once, never the last target's, and charges the escalated call", () => {
    const costs: number[] = [];
    const s = cascadeStrategy({ costOf: () => { costs.push(0.001); return 0.001; } });
    const c = call("hello");
    expect(s.order([cheap, dear], ctx(c))).toEqual([cheap, dear]);
    const e = s.judge!(answer("", "length"), { target: cheap, targets: [cheap, dear], call: c });
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ status: 409, retryable: true, clientCode: "answer_doubtful" });
    expect(c.recorded.escalated).toEqual([cheap.key]);
    expect(costs).toEqual([0.001]);
    // The stronger target failed and the cheap one is asked again: its answer stands.
    expect(s.judge!(answer("", "length"), { target: cheap, targets: [cheap, dear], call: c })).toBeUndefined();
    expect(s.judge!(answer("", "length"), { target: dear, targets: [cheap, dear], call: call("x") })).toBeUndefined();
    // Streams are not judged.
    expect(s.judge!(answer("", "length"), { target: cheap, targets: [cheap, dear], call: call("x", "r", true) })).toBeUndefined();
  });

  it("with a router file: escalates what the judge doubts, and routes streams before any call", () => {
    const model = new RouterModel(file);
    const plan = planTargets([WEAK, STRONG], [cheap, dear], priceOf);
    const learned = learnedStrategy({ route: "smart", model, plan, quality: 0.95 });
    const s = cascadeStrategy({ model, learned, quality: 0.95 });
    const hard = call(HARD_PROMPT);
    expect(s.order([cheap, dear], ctx(hard))).toEqual([cheap, dear]);
    expect(hard.recorded.score).toBeGreaterThan(0.5);
    expect(s.judge!(answer("However, assuming the integral converges, 2 * 3 = 7 and it might be approximately"), { target: cheap, targets: [cheap, dear], call: hard })).toBeInstanceOf(GatewayError);
    const easy = call(EASY_PROMPT);
    s.order([cheap, dear], ctx(easy));
    expect(s.judge!(answer("The capital of Portugal is its largest city."), { target: cheap, targets: [cheap, dear], call: easy })).toBeUndefined();
    const stream = call(HARD_PROMPT, "req_s", true);
    expect(s.order([cheap, dear], ctx(stream))[0]).toBe(dear);
  });
});

describe("the prompt and the answer as text", () => {
  it("reads the last user turn, text parts joined, or a completion's prompt", () => {
    expect(promptText({ messages: [{ role: "user", content: "first" }, { role: "assistant", content: "a" }, { role: "user", content: [{ type: "text", text: "second" }, { type: "image_url" }, { type: "text", text: "part" }] }] })).toBe("second\npart");
    expect(promptText({ prompt: "complete me" })).toBe("complete me");
    expect(promptText({ messages: [{ role: "system", content: "only" }] })).toBe("only");
    expect(promptText(null)).toBe("");
    expect(answerText({ choices: [{ text: "done", finish_reason: "stop" }] })).toEqual({ text: "done", finishReason: "stop", toolCalls: false });
  });

  it("forgets pending prompts after their time, oldest first beyond the bound", () => {
    let now = 0;
    const p = new PendingPrompts<number>(2, 100, () => now);
    p.remember("a", 1);
    p.remember("b", 2);
    p.remember("c", 3);
    expect(p.get("a")).toBeUndefined();
    expect(p.get("b")).toBe(2);
    now = 101;
    expect(p.get("c")).toBeUndefined();
  });
});
