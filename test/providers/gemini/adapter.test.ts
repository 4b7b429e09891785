/**
 * The Gemini adapter against the Gemini fake: chat, streams, tool calls
 * (streamed, and replayed with their thought signatures), embeddings, safety
 * blocks, upstream errors and faults, and cancellation.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/errors.js";
import type { ChatChunk, ChatMessage, ChatRequest, ToolDefinition } from "../../../src/core/types.js";
import { StreamAccumulator } from "../../../src/engine/stream-accumulator.js";
import { createGeminiAdapter } from "../../../src/providers/gemini/adapter.js";
import { geminiConfigSchema } from "../../../src/providers/gemini/config.js";
import type { CallContext, ProviderAdapter, Timeouts } from "../../../src/providers/types.js";
import { FAULT_HEADER, startGeminiFake, type FakeServer, type Fault } from "../../fakes/index.js";

const KEY = "g-key-123";
const timeouts: Timeouts = { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 10000 };

let fake: FakeServer;
let gemini: ProviderAdapter;

function adapterFor(url: string, extra: Record<string, unknown> = {}): ProviderAdapter {
  return createGeminiAdapter("gem", geminiConfigSchema.parse({ type: "gemini", base_url: url, api_key: KEY, ...extra }), timeouts);
}

function ctx(fault?: Fault, signal = new AbortController().signal, overrides: Partial<Timeouts> = {}): CallContext {
  return {
    signal,
    timeouts: { ...timeouts, ...overrides },
    requestId: "t",
    ...(fault ? { headers: { [FAULT_HEADER]: JSON.stringify(fault) } } : {}),
  };
}

function chat(content: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "gemini-2.0-flash", messages: [{ role: "user", content }], ...extra };
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

const weatherTool: ToolDefinition = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false, $schema: "http://json-schema.org/draft-07/schema#" },
    strict: true,
  },
};

beforeAll(async () => {
  fake = await startGeminiFake({ apiKey: KEY });
  gemini = adapterFor(fake.url);
});
afterAll(async () => {
  await gemini.close?.();
  await fake.close();
});

describe("chat", () => {
  it("answers, with the key in x-goog-api-key and never in the URL", async () => {
    const res = await gemini.chat({ model: "gemini-2.0-flash", messages: [{ role: "system", content: "be kind" }, { role: "user", content: "hello there" }] }, ctx());
    expect(res).toMatchObject({
      object: "chat.completion",
      model: "gemini-2.0-flash",
      id: expect.stringMatching(/^FakeRespId/),
      choices: [{ index: 0, message: { role: "assistant", content: "echo: hello there" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
    });
    const recorded = fake.requests.at(-1);
    expect(recorded).toMatchObject({ path: "/v1beta/models/gemini-2.0-flash:generateContent", query: {}, headers: { "x-goog-api-key": KEY } });
    expect(recorded?.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hello there" }] }], systemInstruction: { parts: [{ text: "be kind" }] } });
  });

  it("reports thinking tokens and, with include_thoughts, the thoughts", async () => {
    const thinking = adapterFor(fake.url, { include_thoughts: true });
    const res = await thinking.chat(chat("hi", { model: "gemini-2.5-flash", max_completion_tokens: 50 }), ctx());
    expect(res.choices[0]?.message).toEqual({ role: "assistant", content: "echo: hi", reasoning_content: "Thinking about: hi" });
    expect(res.usage).toEqual({ prompt_tokens: 1, completion_tokens: 5, total_tokens: 6, completion_tokens_details: { reasoning_tokens: 3 } });
    await thinking.close?.();
  });

  it("maps max_tokens to a length finish and n to several choices", async () => {
    const res = await gemini.chat(chat("one two three", { max_tokens: 2, n: 2 }), ctx());
    expect(res.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([[0, "echo: one", "length"], [1, "echo: one", "length"]]);
  });

  it("returns a blocked prompt as a content_filter choice, not an error", async () => {
    const res = await gemini.chat(chat("BLOCKME"), ctx());
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]).toMatchObject({ message: { content: "" }, finish_reason: "content_filter", content_filter_results: { blocked_by: "prompt", reason: "SAFETY" } });
  });

  it("runs a full tool round trip on Gemini 3, thought signature included", async () => {
    const first = await gemini.chat({ model: "gemini-3-pro-preview", tools: [weatherTool], messages: [{ role: "user", content: "weather in Paris" }] }, ctx());
    const calls = first.choices[0]?.message.tool_calls ?? [];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    // The signature rides in the id, in characters every provider accepts in a tool id.
    expect(calls).toEqual([{ id: expect.stringMatching(/^call_[0-9a-f]{24}__thought__[A-Za-z0-9_-]+$/), type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    const messages: ChatMessage[] = [
      { role: "user", content: "weather in Paris" },
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: calls[0]?.id ?? "", content: '{"sky":"clear"}' },
    ];
    const second = await gemini.chat({ model: "gemini-3-pro-preview", tools: [weatherTool], messages }, ctx());
    expect(second.choices[0]?.message.content).toBe('echo: {"sky":"clear"}');
    const sent = fake.requests.at(-1)?.body as { contents: { parts: Record<string, unknown>[] }[] };
    const signature = sent.contents[1]?.parts[0]?.thoughtSignature as string;
    expect(Buffer.from(signature, "base64").toString()).toMatch(/^fake-thought-signature:get_weather:\d+$/);
  });
});

describe("chatStream", () => {
  it("streams role, text deltas, the finish and usage", async () => {
    const stream = await gemini.chatStream(chat("stream this please", { stream: true, stream_options: { include_usage: true } }), ctx());
    const chunks = await collect(stream);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: stream this please");
    expect(chunks.at(-2)?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(fake.requests.at(-1)).toMatchObject({ path: "/v1beta/models/gemini-2.0-flash:streamGenerateContent", query: { alt: "sse" } });
  });

  it("leaves usage out without include_usage", async () => {
    const chunks = await collect(await gemini.chatStream(chat("a b", { stream: true }), ctx()));
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it("streams parallel tool calls that an OpenAI-style accumulator reassembles", async () => {
    const stream = await gemini.chatStream({ model: "gemini-2.5-flash", stream: true, tools: [weatherTool], messages: [{ role: "user", content: "weather in Paris and Tokyo" }] }, ctx());
    const accumulator = new StreamAccumulator(true);
    for (const chunk of await collect(stream)) accumulator.add(chunk);
    const response = accumulator.toResponse();
    expect(response.choices[0]?.finish_reason).toBe("tool_calls");
    expect(response.choices[0]?.message.tool_calls?.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Tokyo" }],
    ]);
    expect(response.choices[0]?.message.tool_calls?.every((c) => c.id.startsWith("call_"))).toBe(true);
  });

  it("ends with content_filter when Gemini stops the answer for safety", async () => {
    const chunks = await collect(await gemini.chatStream(chat("say UNSAFE things please"), ctx()));
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ finish_reason: "content_filter", content_filter_results: { blocked_by: "response", reason: "SAFETY" } });
  });

  it("turns an error event mid-stream into a GatewayError after the text so far", async () => {
    const seen: ChatChunk[] = [];
    const error = await failure((async () => {
      for await (const chunk of await gemini.chatStream(chat("STREAMERROR now please"), ctx())) seen.push(chunk);
    })());
    expect(seen.length).toBeGreaterThan(1);
    expect(error).toMatchObject({ code: "upstream_error", clientCode: "INTERNAL", retryable: true });
  });

  it("a connection dropped mid-stream is an error, never a quiet end", async () => {
    const stream = await gemini.chatStream(chat("a b c d e f"), ctx({ kind: "drop_mid_stream", afterChunks: 2 }));
    const error = await failure(collect(stream));
    expect(["stream_interrupted", "upstream_unreachable"]).toContain(error.code);
    expect(error.status).toBe(502);
  });

  it("a malformed event is a broken stream", async () => {
    const error = await failure(collect(await gemini.chatStream(chat("a b c"), ctx({ kind: "malformed_json" }))));
    expect(error.code).toBe("stream_interrupted");
  });

  it("a stalled stream hits the idle timeout", async () => {
    const stream = await gemini.chatStream(chat("a b c d"), ctx({ kind: "stall_mid_stream", afterChunks: 1 }, undefined, { idleMs: 200 }));
    expect((await failure(collect(stream))).code).toBe("upstream_timeout");
  });
});

describe("embeddings", () => {
  it("embeds through batchEmbedContents, floats or base64, with dimensions", async () => {
    const floats = await gemini.embed!({ model: "text-embedding-004", input: ["hello", "world"], dimensions: 4 }, ctx());
    expect(floats).toMatchObject({ object: "list", model: "text-embedding-004", usage: { prompt_tokens: 4, total_tokens: 4 } });
    expect(floats.data.map((d) => (d.embedding as number[]).length)).toEqual([4, 4]);
    expect(fake.requests.at(-1)?.path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    const base64 = await gemini.embed!({ model: "text-embedding-004", input: "hello", dimensions: 4, encoding_format: "base64" }, ctx());
    const bytes = Buffer.from(base64.data[0]?.embedding as string, "base64");
    expect([0, 1, 2, 3].map((i) => bytes.readFloatLE(i * 4))).toEqual((floats.data[0]?.embedding as number[]).map(Math.fround));
  });
});

describe("upstream errors", () => {
  it("a wrong key → 401, an unknown model → 404", async () => {
    const wrong = adapterFor(fake.url, { api_key: "nope" });
    expect(await failure(wrong.chat(chat("x"), ctx()))).toMatchObject({ status: 401, type: "authentication_error", clientCode: "API_KEY_INVALID" });
    await wrong.close?.();
    const unknown = await failure(gemini.chat(chat("x", { model: "gemini-9-ultra" }), ctx()));
    expect(unknown).toMatchObject({ code: "model_not_found", status: 404 });
    expect(unknown.message).toContain("models/gemini-9-ultra is not found");
  });

  it("429 keeps the wait from RetryInfo; 503 is retryable; stream requests are refused before any chunk", async () => {
    expect(await failure(gemini.chat(chat("x"), ctx({ kind: "rate_limit", retryAfterSeconds: 7 })))).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 7, retryable: true });
    expect(await failure(gemini.chatStream(chat("x"), ctx({ kind: "status", status: 503 })))).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
  });

  it("a request Gemini rejects is a 400 with Google's message", async () => {
    const error = await failure(gemini.chat(chat("x", { model: "gemini-2.0-flash", messages: [] }), ctx()));
    expect(error).toMatchObject({ status: 400, clientCode: "INVALID_ARGUMENT" });
    expect(error.message).toContain("contents is not specified");
  });

  it("a slow first byte hits the first-byte timeout", async () => {
    expect(await failure(gemini.chat(chat("x"), ctx({ kind: "slow_first_byte", delayMs: 1000 }, undefined, { firstByteMs: 100 })))).toMatchObject({ code: "upstream_timeout" });
  });
});

describe("cancellation", () => {
  let server: Server;
  let closedAt: number | undefined;

  beforeAll(async () => {
    // A Gemini stream that never finishes on its own: one event every 50 ms.
    server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const timer = setInterval(() => res.write('data: {"candidates": [{"content": {"parts": [{"text": "tick "}],"role": "model"},"index": 0}]}\r\n\r\n'), 50);
      req.socket.once("close", () => {
        clearInterval(timer);
        closedAt = Date.now();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("aborting ctx.signal closes the upstream connection", async () => {
    const slow = adapterFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const controller = new AbortController();
    const stream = await slow.chatStream(chat("x"), ctx(undefined, controller.signal));
    let got = 0;
    const error = await failure((async () => {
      for await (const _ of stream) if (++got === 3) controller.abort();
    })());
    const abortedAt = Date.now();
    expect(error.code).toBe("client_closed");
    await expect.poll(() => closedAt, { timeout: 2000 }).toBeDefined();
    expect((closedAt as number) - abortedAt).toBeLessThan(1000);
    await slow.close?.();
  });
});
