/** Shared fixtures of the cache tests: requests, answers, a fake clock, the lexical embedding. */
import type { ChatChunk, ChatRequest, ChatResponse } from "../../src/core/types.js";
import { MockAdapter } from "../../src/providers/mock/adapter.js";
import { LEXICAL_EMBEDDING_MODEL } from "../../src/providers/mock/lexical-embedding.js";
import { answerFromResponse, type CachedAnswer } from "../../src/cache/answer.js";
import { firstEmbedding } from "../../src/cache/vectors.js";

export function chat(question: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: "smart",
    messages: [{ role: "system", content: "You are terse." }, { role: "user", content: question }],
    temperature: 0,
    ...extra,
  };
}

export function response(text: string, extra: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: "chatcmpl-upstream-1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-2024-08-06",
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    system_fingerprint: "fp_abc",
    ...extra,
  };
}

export function answer(text: string, createdAt = 1_000): CachedAnswer {
  return answerFromResponse(response(text), { provider: "openai", upstreamModel: "gpt-4o", costUsd: 0.0025, createdAt });
}

/** What an OpenAI stream of `text` with a tool call and usage looks like, chunk by chunk. */
export function toolStream(): ChatChunk[] {
  const base = { id: "chatcmpl-s1", object: "chat.completion.chunk" as const, created: 1_700_000_001, model: "gpt-4o", system_fingerprint: "fp_s" };
  return [
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { content: "Let me " }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { content: "check. 🌦️" }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "weather", arguments: "" } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "{\"city\":" } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "\"Paris\"}" } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: "call_2", type: "function", function: { name: "time", arguments: "{}" } }] }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
    { ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 20, total_tokens: 50 } },
  ];
}

/** A clock the test moves by hand. */
export function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

const mock = new MockAdapter({ name: "mock", latencyMs: 0, chunkSize: 8, chunkDelayMs: 0, embeddingDimensions: 16 });

/** The semantic cache's embedding in tests: the mock provider's lexical model, called as the gateway would. */
export async function lexicalEmbed(text: string, signal?: AbortSignal): Promise<Float32Array> {
  const res = await mock.embed(
    { model: LEXICAL_EMBEDDING_MODEL, input: text },
    { signal: signal ?? new AbortController().signal, timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000, totalMs: 1_000 }, requestId: "req_test" },
  );
  return firstEmbedding(res);
}
