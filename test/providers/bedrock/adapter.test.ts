/**
 * The Bedrock adapter against the Bedrock fake over real HTTP: SigV4 (checked
 * by the fake against its own secret), Converse and ConverseStream, tool
 * calls streamed, family quirks, errors, faults, timeouts and aborts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/core/errors.js";
import type { ChatChunk, ChatRequest } from "../../../src/core/types.js";
import { StreamAccumulator } from "../../../src/engine/stream-accumulator.js";
import { createBedrockAdapter } from "../../../src/providers/bedrock/adapter.js";
import type { BedrockConfig } from "../../../src/providers/bedrock/config.js";
import type { CallContext, ProviderAdapter } from "../../../src/providers/types.js";
import { FAKE_AWS_CREDENTIALS, FAULT_HEADER, STREAM_EXCEPTION_HEADER, startBedrockFake, type BedrockFakeOptions, type BedrockFakeServer, type Fault } from "../../fakes/index.js";

const CLAUDE = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
const LLAMA = "meta.llama3-1-70b-instruct-v1:0";
const TIMEOUTS = { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 10000 };
const WEATHER_TOOL = {
  type: "function" as const,
  function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

const open: { fake: BedrockFakeServer; adapter: ProviderAdapter }[] = [];
afterEach(async () => {
  for (const { fake, adapter } of open.splice(0)) {
    await adapter.close?.();
    await fake.close();
  }
});

function ctx(extra: Partial<CallContext> = {}): CallContext {
  return { signal: new AbortController().signal, timeouts: TIMEOUTS, requestId: "t", ...extra };
}

function faulted(fault: Fault): CallContext {
  return ctx({ headers: { [FAULT_HEADER]: JSON.stringify(fault) } });
}

async function setup(fakeOptions: BedrockFakeOptions = {}, config: Partial<BedrockConfig> = {}, env: Record<string, string> = {}) {
  const fake = await startBedrockFake(fakeOptions);
  const adapter = createBedrockAdapter(
    "aws",
    { type: "bedrock", region: fake.region, base_url: fake.url, access_key_id: FAKE_AWS_CREDENTIALS.accessKeyId, secret_access_key: FAKE_AWS_CREDENTIALS.secretAccessKey, ...config },
    TIMEOUTS,
    env,
  );
  open.push({ fake, adapter });
  return { fake, adapter };
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

async function collectUntilError(stream: AsyncIterable<ChatChunk>): Promise<{ chunks: ChatChunk[]; error: unknown }> {
  const chunks: ChatChunk[] = [];
  try {
    for await (const c of stream) chunks.push(c);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

const chat = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: CLAUDE, messages: [{ role: "user", content }], ...extra });

describe("chat", () => {
  it("sends a signed Converse request and maps the answer", async () => {
    const { fake, adapter } = await setup();
    const res = await adapter.chat(chat("hello there", { messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello there" }], max_tokens: 50, temperature: 0.1 }), ctx());
    expect(res).toMatchObject({
      id: "chatcmpl-00000000-0000-4000-8000-000000000001",
      object: "chat.completion",
      model: CLAUDE,
      choices: [{ index: 0, message: { role: "assistant", content: "echo: hello there" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
    });
    const sent = fake.requests[0];
    expect(sent?.path).toBe("/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse");
    expect(sent?.body).toEqual({
      messages: [{ role: "user", content: [{ text: "hello there" }] }],
      system: [{ text: "be brief" }],
      inferenceConfig: { maxTokens: 50, temperature: 0.1 },
    });
    expect(sent?.headers).toMatchObject({ "content-type": "application/json", "x-amz-date": expect.stringMatching(/^\d{8}T\d{6}Z$/) });
  });

  it("maps tool calls, and sends the tool results back", async () => {
    const { fake, adapter } = await setup();
    const ask = chat("What's the weather in Paris and Tokyo?", { tools: [WEATHER_TOOL] });
    const first = await adapter.chat(ask, ctx());
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.content).toBeNull();
    expect(message?.tool_calls?.map((c) => [c.function.name, JSON.parse(c.function.arguments) as unknown])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_weather", { city: "Tokyo" }],
    ]);
    const second = await adapter.chat(
      {
        ...ask,
        messages: [
          ...ask.messages,
          { role: "assistant", content: null, tool_calls: message?.tool_calls },
          ...(message?.tool_calls ?? []).map((c, i) => ({ role: "tool" as const, tool_call_id: c.id, content: i === 0 ? '{"temp_c":18}' : "sunny" })),
        ],
      },
      ctx(),
    );
    expect(second.choices[0]).toMatchObject({ message: { content: 'echo: {"temp_c":18} sunny' }, finish_reason: "stop" });
    expect((fake.requests[1]?.body as { messages: unknown[] }).messages).toHaveLength(3);
  });

  it("sends images as bytes to a vision model; refuses them for Llama 3.1 without a round trip", async () => {
    const { fake, adapter } = await setup();
    const png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const withImage = (model: string): ChatRequest => ({ model, messages: [{ role: "user", content: [{ type: "text", text: "what is it" }, { type: "image_url", image_url: { url: png } }] }] });
    await expect(adapter.chat(withImage("us.meta.llama3-2-11b-instruct-v1:0"), ctx())).resolves.toMatchObject({ choices: [{ message: { content: "echo: what is it" } }] });
    expect((fake.requests[0]?.body as { messages: { content: unknown[] }[] }).messages[0]?.content[1]).toEqual({ image: { format: "png", source: { bytes: png.split(",")[1] } } });
    await expect(adapter.chat(withImage(LLAMA), ctx())).rejects.toMatchObject({ code: "invalid_request", status: 400, param: "messages[0].content[1]" });
    await expect(adapter.chat(chat("x", { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }] }] }), ctx())).rejects.toThrow(/Bedrock needs image bytes/);
    expect(fake.requests).toHaveLength(1);
  });

  it("maps reasoning (thinking passed through additionalModelRequestFields)", async () => {
    const { fake, adapter } = await setup();
    const res = await adapter.chat(chat("think", { model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", thinking: { type: "enabled", budget_tokens: 1024 } }), ctx());
    expect(res.choices[0]?.message).toMatchObject({ content: "echo: think", reasoning_content: "The user said: think" });
    expect(fake.requests[0]?.body).toMatchObject({ additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } } });
  });

  it("authenticates with a Bedrock API key (Bearer) instead of SigV4", async () => {
    const { fake, adapter } = await setup({ apiKey: "bedrock-key" }, { access_key_id: undefined, secret_access_key: undefined, api_key: "bedrock-key" });
    await adapter.chat(chat("hi"), ctx());
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer bedrock-key");
    expect(fake.requests[0]?.headers["x-amz-date"]).toBeUndefined();
  });

  it("falls back to the AWS_* environment variables, session token included", async () => {
    const { fake, adapter } = await setup(
      { sessionToken: "sess-1" },
      { access_key_id: undefined, secret_access_key: undefined },
      { AWS_ACCESS_KEY_ID: FAKE_AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_AWS_CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: "sess-1" },
    );
    await expect(adapter.chat(chat("hi"), ctx())).resolves.toBeDefined();
    expect(fake.requests[0]?.headers["x-amz-security-token"]).toBe("sess-1");
  });
});

describe("chatStream", () => {
  it("streams text chunks, then the usage chunk when asked for", async () => {
    const { fake, adapter } = await setup();
    const chunks = await collect(await adapter.chatStream(chat("one two three", { stream: true, stream_options: { include_usage: true } }), ctx()));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(["", "echo:", " one", " two", " three", null, null]);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-00000000-0000-4000-8000-000000000001"]));
    expect(fake.requests[0]?.path).toMatch(/\/converse-stream$/);
    expect(fake.requests[0]?.headers.accept).toBe("application/vnd.amazon.eventstream");

    const noUsage = await collect(await adapter.chatStream(chat("one", { stream: true }), ctx()));
    expect(noUsage.some((c) => c.usage)).toBe(false);
  });

  it("streams tool calls the way OpenAI does (id and name first, argument fragments after)", async () => {
    const { adapter } = await setup();
    const chunks = await collect(await adapter.chatStream(chat("weather in Paris and Tokyo", { stream: true, tools: [WEATHER_TOOL] }), ctx()));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({ index: 0, id: expect.stringMatching(/^tooluse_/), type: "function", function: { name: "get_weather", arguments: "" } });
    expect(deltas.filter((d) => d.id !== undefined).map((d) => d.index)).toEqual([0, 1]);
    expect(deltas.filter((d) => d.id === undefined).length).toBeGreaterThan(2);
    const acc = new StreamAccumulator(true);
    for (const c of chunks) acc.add(c);
    const message = acc.toResponse().choices[0];
    expect(message?.finish_reason).toBe("tool_calls");
    expect(message?.message.tool_calls?.map((c) => JSON.parse(c.function.arguments) as unknown)).toEqual([{ city: "Paris" }, { city: "Tokyo" }]);
  });

  it("Llama cannot stream tool use: the answer comes from Converse, replayed as chunks", async () => {
    const { fake, adapter } = await setup();
    const chunks = await collect(
      await adapter.chatStream(chat("weather in Oslo", { model: LLAMA, stream: true, stream_options: { include_usage: true }, tools: [WEATHER_TOOL] }), ctx()),
    );
    expect(fake.requests[0]?.path).toBe("/model/meta.llama3-1-70b-instruct-v1%3A0/converse");
    const acc = new StreamAccumulator(true);
    for (const c of chunks) acc.add(c);
    expect(acc.toResponse().choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { tool_calls: [{ function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] } });
    expect(acc.usage).toMatchObject({ prompt_tokens: 3 });
    // Without tools, Llama streams for real.
    await collect(await adapter.chatStream(chat("hi", { model: LLAMA, stream: true }), ctx()));
    expect(fake.requests[1]?.path).toMatch(/\/converse-stream$/);
  });

  it("refuses tool_choice required for Llama before sending", async () => {
    const { fake, adapter } = await setup();
    await expect(adapter.chatStream(chat("x", { model: LLAMA, tools: [WEATHER_TOOL], tool_choice: "required" }), ctx())).rejects.toMatchObject({ code: "invalid_request", param: "tool_choice" });
    expect(fake.requests).toHaveLength(0);
  });

  it("streams reasoning as reasoning_content", async () => {
    const { adapter } = await setup();
    const chunks = await collect(await adapter.chatStream(chat("think hard", { model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", thinking: { type: "enabled", budget_tokens: 1024 } }), ctx()));
    expect(chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("")).toBe("The user said: think hard");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: think hard");
  });
});

describe("errors", () => {
  it("keeps Bedrock's 4xx: unknown model 404, ValidationException 400, bad signature 403", async () => {
    const { adapter } = await setup();
    await expect(adapter.chat(chat("hi", { model: "anthropic.nope-v1:0" }), ctx())).rejects.toMatchObject({ code: "model_not_found", status: 404, clientCode: "ResourceNotFoundException", message: "Model not found." });
    await expect(adapter.chat(chat("weather in Rome", { model: "mistral.mistral-7b-instruct-v0:2", tools: [WEATHER_TOOL] }), ctx())).rejects.toMatchObject({
      code: "invalid_request",
      status: 400,
      clientCode: "ValidationException",
      message: "This model doesn't support tool use.",
      retryable: false,
    });
    const { adapter: wrongSecret } = await setup({}, { secret_access_key: "wrong" });
    await expect(wrongSecret.chat(chat("hi"), ctx())).rejects.toMatchObject({ status: 403, clientCode: "InvalidSignatureException", retryable: false });
  });

  it("throttling is a retryable 429; unavailable a retryable 503; broken JSON an upstream_error", async () => {
    const { adapter } = await setup();
    await expect(adapter.chat(chat("hi"), faulted({ kind: "rate_limit", retryAfterSeconds: 2 }))).rejects.toMatchObject({ code: "rate_limited", status: 429, retryable: true, retryAfter: 2, clientCode: "ThrottlingException" });
    await expect(adapter.chatStream(chat("hi"), faulted({ kind: "status", status: 503 }))).rejects.toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
    await expect(adapter.chat(chat("hi"), faulted({ kind: "malformed_json" }))).rejects.toMatchObject({ code: "upstream_error" });
  });

  it("an exception frame mid-stream becomes a GatewayError after the chunks before it", async () => {
    const { adapter } = await setup();
    const throttled = ctx({ headers: { [STREAM_EXCEPTION_HEADER]: JSON.stringify({ exception: "throttlingException", afterEvents: 3 }) } });
    const { chunks, error } = await collectUntilError(await adapter.chatStream(chat("one two three"), throttled));
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(["", "echo:", " one"]);
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryable: true, clientCode: "ThrottlingException" });

    for (const [exception, expected] of [
      ["modelStreamErrorException", { code: "upstream_error", retryable: true }],
      ["internalServerException", { code: "upstream_error", retryable: true }],
      ["serviceUnavailableException", { code: "upstream_unavailable", status: 503, retryable: true }],
      ["validationException", { code: "invalid_request", status: 400, retryable: false }],
    ] as const) {
      const c = ctx({ headers: { [STREAM_EXCEPTION_HEADER]: JSON.stringify({ exception, afterEvents: 1 }) } });
      const result = await collectUntilError(await adapter.chatStream(chat("x"), c));
      expect(result.error, exception).toBeInstanceOf(GatewayError);
      expect(result.error, exception).toMatchObject(expected);
    }
  });

  it("a connection dropped mid-stream is an error, never a quiet end", async () => {
    const { adapter } = await setup();
    const { chunks, error } = await collectUntilError(await adapter.chatStream(chat("one two three four"), faulted({ kind: "drop_mid_stream", afterChunks: 3 })));
    expect(chunks.length).toBeLessThanOrEqual(3);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).retryable).toBe(true);
  });

  it("times out a slow first byte and a stalled stream", async () => {
    const { adapter } = await setup();
    const short = { ...TIMEOUTS, firstByteMs: 150, idleMs: 150 };
    await expect(adapter.chat(chat("hi"), { ...faulted({ kind: "slow_first_byte", delayMs: 1000 }), timeouts: short })).rejects.toMatchObject({ code: "upstream_timeout" });
    const stalled = await adapter.chatStream(chat("one two three"), { ...faulted({ kind: "stall_mid_stream", afterChunks: 2 }), timeouts: short });
    const { chunks, error } = await collectUntilError(stalled);
    expect(chunks.length).toBe(2);
    expect(error).toMatchObject({ code: "upstream_timeout" });
  });
});

describe("abort", () => {
  it("ctx.signal cancels a stream in flight", async () => {
    const { adapter } = await setup({ chunkDelayMs: 200 });
    const controller = new AbortController();
    const stream = await adapter.chatStream(chat("one two three four five six seven eight"), ctx({ signal: controller.signal }));
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.role).toBe("assistant");
    const started = Date.now();
    controller.abort();
    const error = await (async () => {
      for (;;) if ((await iterator.next()).done) return undefined;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "client_closed" });
    // Far sooner than the ~1.8 s the rest of the stream would take.
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("ctx.signal cancels a request waiting for its first byte", async () => {
    const { adapter } = await setup();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(adapter.chat(chat("hi"), { ...faulted({ kind: "slow_first_byte", delayMs: 3000 }), signal: controller.signal })).rejects.toMatchObject({ code: "client_closed" });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
