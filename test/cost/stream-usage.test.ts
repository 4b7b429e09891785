import { describe, expect, it } from "vitest";
import type { ChatChunk } from "../../src/core/types.js";
import { costOf, countTokens, estimateChatUsage, estimateCompletionUsage, forClient, loadCatalogue, StreamUsageEstimator, withUpstreamUsage } from "../../src/cost/index.js";

const chunk = (delta: ChatChunk["choices"][number]["delta"], extra: Partial<ChatChunk> = {}): ChatChunk => ({
  id: "c", object: "chat.completion.chunk", created: 0, model: "gpt-4o", choices: [{ index: 0, delta, finish_reason: null }], ...extra,
});

describe("stream usage estimates", () => {
  const request = { messages: [{ role: "user" as const, content: "hello world" }] };

  it("counts the prompt from the request and the completion from the streamed text", () => {
    const est = new StreamUsageEstimator();
    for (const piece of ["hello", " world"]) est.add(chunk({ content: piece }));
    const usage = est.usage(request, "gpt-4o-2024-08-06");
    // prompt: 3 + user(1) + hello world(2) + 3; completion: "hello world" = 2
    expect(usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11, estimated: true });
    // … and it prices like reported usage: 9 × 2.50 + 2 × 10.00 µ$
    expect(costOf(usage, "gpt-4o-2024-08-06", loadCatalogue())!.usd).toBeCloseTo((22.5 + 20) / 1e6, 12);
  });

  it("counts tool-call arguments assembled from fragments", () => {
    const est = new StreamUsageEstimator();
    est.add(chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"ci" } }] }));
    est.add(chunk({ tool_calls: [{ index: 0, function: { arguments: "ty\":\"Paris\"}" } }] }));
    const usage = est.usage(request, "gpt-4o");
    expect(usage.completion_tokens).toBe(countTokens("get_weather", "gpt-4o") + countTokens("{\"city\":\"Paris\"}", "gpt-4o"));
  });

  it("prefers the usage the upstream reported", () => {
    const est = new StreamUsageEstimator();
    est.add(chunk({ content: "hi" }));
    est.add({ ...chunk({}), choices: [], usage: { prompt_tokens: 40, completion_tokens: 1, total_tokens: 41 } });
    expect(est.usage(request, "gpt-4o")).toEqual({ prompt_tokens: 40, completion_tokens: 1, total_tokens: 41 });
  });

  it("takes an assembled response too (the engine's StreamAccumulator output)", () => {
    const usage = estimateChatUsage(request, { choices: [{ index: 0, message: { role: "assistant", content: "hello world", reasoning_content: "hmm" }, finish_reason: "stop" }] }, "gpt-4o");
    expect(usage.completion_tokens).toBe(2 + countTokens("hmm", "gpt-4o"));
  });

  it("legacy completions: prompt strings and token arrays", () => {
    expect(estimateCompletionUsage("hello world", "hello world", "gpt-3.5-turbo-instruct")).toMatchObject({ prompt_tokens: 2, completion_tokens: 2 });
    expect(estimateCompletionUsage([[1, 2, 3], [4]], "", "davinci-002")).toMatchObject({ prompt_tokens: 4, completion_tokens: 0 });
  });
});

describe("asking upstream for usage the client did not want", () => {
  it("turns include_usage on and remembers whether the client asked", () => {
    expect(withUpstreamUsage({ model: "m", stream_options: null })).toEqual({ request: { model: "m", stream_options: { include_usage: true } }, clientWantsUsage: false });
    const asked = { model: "m", stream_options: { include_usage: true } };
    expect(withUpstreamUsage(asked)).toEqual({ request: asked, clientWantsUsage: true });
  });

  it("drops the usage-only chunk and strips usage from content chunks, without mutating them", () => {
    const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    const usageOnly = { ...chunk({}), choices: [], usage };
    const riding = chunk({ content: "x" }, { usage });
    expect(forClient(usageOnly, false)).toBeUndefined();
    expect(forClient(riding, false)).toEqual(chunk({ content: "x" }));
    expect(riding.usage).toBe(usage);
    expect(forClient(usageOnly, true)).toBe(usageOnly);
    const plain = chunk({ content: "y" });
    expect(forClient(plain, false)).toBe(plain);
  });
});
