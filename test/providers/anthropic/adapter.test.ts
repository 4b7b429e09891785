/**
 * The Anthropic adapter against the Anthropic fake: real HTTP, the real wire
 * format, faults included.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/errors.js";
import type { ChatChunk, ChatRequest } from "../../../src/core/types.js";
import { StreamAccumulator } from "../../../src/engine/stream-accumulator.js";
import { anthropicConfigSchema } from "../../../src/providers/anthropic/config.js";
import { createAnthropicAdapter } from "../../../src/providers/anthropic/adapter.js";
import { messageStartUsage } from "../../../src/providers/anthropic/stream.js";
import type { CallContext, ProviderAdapter } from "../../../src/providers/types.js";
import { FAULT_HEADER, STREAM_ERROR_HEADER, startAnthropicFake, type AnthropicFakeServer, type Fault } from "../../fakes/index.js";

const KEY = "sk-ant-test";
const TIMEOUTS = { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 10000 };
let fake: AnthropicFakeServer;
let adapter: ProviderAdapter;

const ctx = (extra: Partial<CallContext> = {}): CallContext => ({ signal: new AbortController().signal, timeouts: TIMEOUTS, requestId: "t", ...extra });
const faulted = (fault: Fault): CallContext => ctx({ headers: { [FAULT_HEADER]: JSON.stringify(fault) } });

function make(config: Record<string, unknown> = {}): ProviderAdapter {
  const parsed = anthropicConfigSchema.parse({ type: "anthropic", base_url: fake.url, api_key: KEY, ...config });
  return createAnthropicAdapter("claude", parsed, TIMEOUTS);
}

beforeAll(async () => {
  fake = await startAnthropicFake({ apiKey: KEY, cacheTokens: { read: 4, creation: 1 } });
  adapter = make();
});
afterAll(async () => {
  await adapter?.close?.();
  await fake?.close();
});

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest =>
  ({ model: "claude-sonnet-4-5", messages: [{ role: "user", content }], ...extra });
const WEATHER: ChatRequest["tools"] = [{
  type: "function",
  function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } },
}];

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

describe("chat", () => {
  it("answers, with Anthropic's headers sent and usage mapped", async () => {
    const res = await adapter.chat(ask("hello there", { temperature: 1.7, user: "u1", seed: 3 }), ctx());
    expect(res).toMatchObject({ object: "chat.completion", model: "claude-sonnet-4-5", choices: [{ message: { role: "assistant", content: "echo: hello there" }, finish_reason: "stop" }] });
    expect(res.id).toMatch(/^msg_/);
    // input 2 + cache read 4 + cache creation 1
    expect(res.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 4 }, cache_creation_input_tokens: 1 });
    const sent = fake.requests.at(-1)!;
    expect(sent.headers).toMatchObject({ "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" });
    expect(sent.body).toEqual({ model: "claude-sonnet-4-5", max_tokens: 8192, messages: [{ role: "user", content: "hello there" }], temperature: 1, metadata: { user_id: "u1" } });
  });

  it("runs a tool round trip: tool_calls out, tool results back as one user turn", async () => {
    const first = await adapter.chat(ask("weather in Paris and Tokyo?", { tools: WEATHER }), ctx());
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(message.content).toBe("Let me check the weather for you.");
    expect(message.tool_calls?.map((c) => JSON.parse(c.function.arguments) as unknown)).toEqual([{ location: "Paris" }, { location: "Tokyo" }]);
    const second = await adapter.chat({
      model: "claude-sonnet-4-5",
      tools: WEATHER,
      messages: [
        { role: "user", content: "weather in Paris and Tokyo?" },
        message,
        { role: "tool", tool_call_id: message.tool_calls![0]!.id, content: "sunny" },
        { role: "tool", tool_call_id: message.tool_calls![1]!.id, content: "rainy" },
      ],
    }, ctx());
    expect(second.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "echo: sunny rainy" } });
  });

  it("thinks with reasoning_effort, keeping max_tokens above the budget and dropping temperature", async () => {
    const res = await adapter.chat(ask("why?", { reasoning_effort: "low", max_tokens: 100, temperature: 0.2 }), ctx());
    expect(res.choices[0]!.message.reasoning_content).toContain("why?");
    expect(res.choices[0]!.message.thinking_blocks).toEqual([expect.objectContaining({ type: "thinking", signature: expect.any(String) })]);
    expect(fake.requests.at(-1)!.body).toMatchObject({ max_tokens: 2148, thinking: { type: "enabled", budget_tokens: 2048 } });
  });

  it("answers json_schema through a forced tool", async () => {
    const format = { type: "json_schema" as const, json_schema: { name: "person", schema: { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } } } } };
    const res = await adapter.chat(ask("invent someone", { response_format: format }), ctx());
    expect(res.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: '{"name":"fake","age":1}' } });
    const chunks = await collect(await adapter.chatStream(ask("invent someone", { response_format: format, stream: true }), ctx()));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe('{"name":"fake","age":1}');
  });
});

describe("streams", () => {
  it("streams text, a finish chunk, and usage only when asked", async () => {
    const plain = await collect(await adapter.chatStream(ask("one two three", { stream: true }), ctx()));
    expect(plain[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(plain.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: one two three");
    expect(plain.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(plain.some((c) => c.usage)).toBe(false);
    expect(fake.requests.at(-1)!.body).toMatchObject({ stream: true });
    expect(fake.requests.at(-1)!.headers.accept).toBe("text/event-stream");

    const counted = await collect(await adapter.chatStream(ask("one two three", { stream: true, stream_options: { include_usage: true } }), ctx()));
    expect(counted.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 4 } } });
  });

  it("streams tool calls the way OpenAI clients reassemble them", async () => {
    const chunks = await collect(await adapter.chatStream(ask("weather in Paris and Tokyo?", { tools: WEATHER, stream: true }), ctx()));
    const acc = new StreamAccumulator(true);
    for (const c of chunks) acc.add(c);
    const res = acc.toResponse();
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(res.choices[0]!.message.tool_calls!.map((c) => [c.id.startsWith("toolu_"), c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      [true, "get_weather", { location: "Paris" }],
      [true, "get_weather", { location: "Tokyo" }],
    ]);
    // The first delta of each call carries id and name, later ones argument fragments only.
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.filter((d) => d.id).map((d) => d.index)).toEqual([0, 1]);
    expect(deltas.filter((d) => !d.id).length).toBeGreaterThan(4);
  });

  it("streams reasoning_content when thinking", async () => {
    const chunks = await collect(await adapter.chatStream(ask("why?", { thinking: { type: "enabled", budget_tokens: 1024 }, stream: true }), ctx()));
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("");
    expect(reasoning).toBe("The user wrote: why?. I should answer briefly.");
    expect(chunks.find((c) => c.choices[0]?.delta.thinking_blocks)?.choices[0]?.delta.thinking_blocks).toEqual([
      { type: "thinking", thinking: reasoning, signature: expect.any(String) },
    ]);
  });
});

describe("client headers, token counts, message_start usage", () => {
  it("sends the client's anthropic-* headers (ctx.providerHeaders) only to this protocol, joining beta flags", async () => {
    const configured = make({ headers: { "anthropic-beta": "configured-2025-01-01" } });
    await configured.chat(ask("x"), ctx({ providerHeaders: { anthropic: { "anthropic-beta": "client-2025-02-02", "anthropic-version": "2025-05-05" }, openai: { "x-other": "no" } } }));
    const headers = fake.requests.at(-1)!.headers;
    expect(headers["anthropic-beta"]).toBe("configured-2025-01-01,client-2025-02-02");
    expect(headers["anthropic-version"]).toBe("2025-05-05");
    expect(headers).not.toHaveProperty("x-other");
    await configured.close?.();
    await adapter.chat(ask("x"), ctx());
    expect(fake.requests.at(-1)!.headers).not.toHaveProperty("anthropic-beta");
    expect(fake.requests.at(-1)!.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("drops sampling parameters when the client's anthropic-version has none", async () => {
    await adapter.chat(ask("x", { temperature: 0.3 }), ctx({ providerHeaders: { anthropic: { "anthropic-version": "2026-10-21" } } }));
    expect(fake.requests.at(-1)!.body).not.toHaveProperty("temperature");
    await adapter.chat(ask("x", { temperature: 0.3 }), ctx());
    expect(fake.requests.at(-1)!.body).toMatchObject({ temperature: 0.3 });
  });

  it("counts tokens with the upstream's count_tokens", async () => {
    const n = await adapter.countTokens!(ask("one two three", { max_tokens: 5, temperature: 0.2 }), ctx({ providerHeaders: { anthropic: { "anthropic-beta": "b" } } }));
    expect(n).toBe(3);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe("/v1/messages/count_tokens");
    expect(sent.body).toEqual({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "one two three" }] });
    expect(sent.headers["anthropic-beta"]).toBe("b");
    expect(await rejection(adapter.countTokens!(ask("x", { model: "claude-nope" }), ctx()))).toMatchObject({ status: 404 });
  });

  it("keeps message_start's usage on the role chunk, hidden", async () => {
    const [role] = await collect(await adapter.chatStream(ask("one two three", { stream: true }), ctx()));
    expect(messageStartUsage(role!)).toEqual({ input_tokens: 3, cache_creation_input_tokens: 1, cache_read_input_tokens: 4 });
    expect(Object.keys(role!)).toEqual(["id", "object", "created", "model", "choices"]);
  });
});

describe("errors", () => {
  it("maps upstream statuses", async () => {
    const wrongKey = make({ api_key: "nope" });
    expect(await rejection(wrongKey.chat(ask("x"), ctx()))).toMatchObject({ status: 401, type: "authentication_error", message: "invalid x-api-key" });
    await wrongKey.close?.();
    expect(await rejection(adapter.chat(ask("x", { model: "claude-nope" }), ctx()))).toMatchObject({ code: "model_not_found", status: 404, type: "not_found_error" });
    expect(await rejection(adapter.chat(ask("x"), faulted({ kind: "status", status: 529 })))).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
    expect(await rejection(adapter.chat(ask("x"), faulted({ kind: "status", status: 500 })))).toMatchObject({ code: "upstream_error", status: 502 });
    expect(await rejection(adapter.chatStream(ask("x", { stream: true }), faulted({ kind: "status", status: 529 })))).toMatchObject({ code: "upstream_unavailable" });
    const limited = await rejection(adapter.chat(ask("x"), faulted({ kind: "rate_limit", retryAfterSeconds: 7 })));
    expect(limited).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 7, type: "rate_limit_error" });
  });

  it("refuses what Anthropic cannot express before calling it", async () => {
    const before = fake.requests.length;
    const bad = { role: "assistant" as const, content: null, tool_calls: [{ id: "t", type: "function" as const, function: { name: "f", arguments: "{" } }] };
    expect(await rejection(adapter.chat({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "x" }, bad] }, ctx()))).toMatchObject({ code: "invalid_request", status: 400 });
    expect(fake.requests.length).toBe(before);
  });

  it("throws a retryable error on an overloaded event mid-stream", async () => {
    const stream = await adapter.chatStream(ask("one two three", { stream: true }), ctx({ headers: { [STREAM_ERROR_HEADER]: JSON.stringify({ afterEvents: 4 }) } }));
    const got: ChatChunk[] = [];
    const err = await rejection((async () => { for await (const c of stream) got.push(c); })());
    expect(err).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
    expect(got.length).toBeGreaterThan(0);
  });

  it("turns a dropped or broken stream into an error, never a quiet end", async () => {
    const dropped = await adapter.chatStream(ask("one two three", { stream: true }), faulted({ kind: "drop_mid_stream", afterChunks: 3 }));
    expect((await rejection(collect(dropped))).code).toMatch(/^(stream_interrupted|upstream_unreachable)$/);
    const malformed = await adapter.chatStream(ask("one two three", { stream: true }), faulted({ kind: "malformed_json" }));
    expect(await rejection(collect(malformed))).toMatchObject({ code: "stream_interrupted" });
    expect(await rejection(adapter.chat(ask("x"), faulted({ kind: "malformed_json" })))).toMatchObject({ code: "upstream_error" });
    expect(await rejection(adapter.chat(ask("x"), faulted({ kind: "drop_connection" })))).toMatchObject({ code: "upstream_unreachable" });
  });

  it("times out a slow first byte", async () => {
    const err = await rejection(adapter.chat(ask("x"), { ...faulted({ kind: "slow_first_byte", delayMs: 1000 }), timeouts: { ...TIMEOUTS, firstByteMs: 200 } }));
    expect(err).toMatchObject({ code: "upstream_timeout" });
  });
});

describe("connection handling (hand-made upstream)", () => {
  let server: Server;
  let base: string;
  let closed: Promise<void>;
  let markClosed: () => void;
  const frame = (e: { type: string }) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
  const start = frame({ type: "message_start", message: { id: "msg_h", type: "message", role: "assistant", model: "claude-x", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } } as { type: string });

  beforeAll(async () => {
    server = createServer((req, res: ServerResponse) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(start);
      if (req.url?.includes("end-early")) res.end(); // a clean end without message_stop
      else res.on("close", () => markClosed()); // stalls until the client goes away
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("aborting ctx.signal cancels the upstream request", async () => {
    closed = new Promise((r) => { markClosed = r; });
    const a = createAnthropicAdapter("h", anthropicConfigSchema.parse({ type: "anthropic", base_url: base }), TIMEOUTS);
    const controller = new AbortController();
    const stream = (await a.chatStream(ask("x", { stream: true }), ctx({ signal: controller.signal })))[Symbol.asyncIterator]();
    expect((await stream.next()).value).toMatchObject({ id: "msg_h" });
    const pending = stream.next();
    controller.abort();
    expect(await rejection(pending)).toMatchObject({ code: "client_closed" });
    await closed; // the upstream saw its connection close
    await a.close?.();
  });

  it("reports a stream that ends without message_stop as interrupted", async () => {
    const a = createAnthropicAdapter("h", anthropicConfigSchema.parse({ type: "anthropic", base_url: `${base}/end-early` }), TIMEOUTS);
    expect(await rejection(collect(await a.chatStream(ask("x", { stream: true }), ctx())))).toMatchObject({ code: "stream_interrupted" });
    await a.close?.();
  });
});

describe("config", () => {
  it("is strict and knows its defaults", () => {
    expect(anthropicConfigSchema.safeParse({ type: "anthropic", api_key: "k" }).success).toBe(true);
    expect(anthropicConfigSchema.safeParse({ type: "anthropic", api_version: "x" }).success).toBe(false);
    expect(anthropicConfigSchema.safeParse({ type: "anthropic", default_max_tokens: 0 }).success).toBe(false);
    expect(adapter.capabilities).toEqual({ chat: true, completions: false, embeddings: false, vision: true, tools: true });
    expect(adapter.embed).toBeUndefined();
  });
});
