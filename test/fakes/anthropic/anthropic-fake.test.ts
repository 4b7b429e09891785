/**
 * The Anthropic fake, seen through the official @anthropic-ai/sdk client:
 * if the SDK accepts its answers, streams and errors, the gateway's adapter
 * is tested against the real wire format.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { STREAM_ERROR_HEADER, startAnthropicFake, type AnthropicFakeOptions, type AnthropicFakeServer } from "./anthropic-fake.js";
import { FAULT_HEADER, type Fault } from "../_shared/faults.js";

const KEY = "sk-ant-test";
const fakes: AnthropicFakeServer[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function setup(options: AnthropicFakeOptions = {}, client: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}) {
  const fake = await startAnthropicFake({ apiKey: KEY, ...options });
  fakes.push(fake);
  return { fake, client: new Anthropic({ baseURL: fake.url, apiKey: KEY, maxRetries: 0, ...client }) };
}

const ASK = { model: "claude-haiku-4-5", max_tokens: 100, messages: [{ role: "user" as const, content: "hello there" }] };
const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather",
  input_schema: { type: "object" as const, properties: { location: { type: "string" } }, required: ["location"] },
};

function faultHeader(fault: Fault): { headers: Record<string, string> } {
  return { headers: { [FAULT_HEADER]: JSON.stringify(fault) } };
}

/** The raw SSE text of a streamed answer, for checks the SDK hides (pings, framing). */
async function rawStream(fake: AnthropicFakeServer, body: object): Promise<string> {
  const res = await fetch(`${fake.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ ...body, stream: true }),
  });
  return res.text();
}

describe("messages", () => {
  it("answers with an echo, Anthropic's usage fields and request-id", async () => {
    const { client, fake } = await setup({ cacheTokens: { read: 5, creation: 2 } });
    const { data: msg, response } = await client.messages.create(ASK).withResponse();
    expect(msg).toMatchObject({
      type: "message", role: "assistant", model: "claude-haiku-4-5",
      content: [{ type: "text", text: "echo: hello there" }],
      stop_reason: "end_turn", stop_sequence: null,
      usage: { input_tokens: 2, output_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 2 },
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    expect(response.headers.get("anthropic-ratelimit-requests-remaining")).toBe("49");
    // The SDK sends its own (newer) version; the fake only insists that one is sent.
    expect(fake.requests[0]?.headers["anthropic-version"]).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it("stops at max_tokens and at stop sequences", async () => {
    const { client } = await setup();
    const cut = await client.messages.create({ ...ASK, max_tokens: 2, messages: [{ role: "user", content: "one two three" }] });
    expect(cut).toMatchObject({ stop_reason: "max_tokens", content: [{ text: "echo: one" }] });
    const stopped = await client.messages.create({ ...ASK, stop_sequences: ["two"], messages: [{ role: "user", content: "one two three" }] });
    expect(stopped).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "two", content: [{ text: "echo: one " }] });
  });

  it("streams the documented event sequence, with a ping", async () => {
    const { client, fake } = await setup();
    const raw = await rawStream(fake, ASK);
    const types = [...raw.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(types).toEqual([
      "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_delta",
      "content_block_stop", "message_delta", "message_stop",
    ]);
    const final = await client.messages.stream(ASK).finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "echo: hello there" }]);
    expect(final.usage).toMatchObject({ input_tokens: 2, output_tokens: 3 });
  });

  it("calls tools for weather questions, with input streamed in pieces", async () => {
    const { client, fake } = await setup();
    const body = { ...ASK, tools: [WEATHER_TOOL], messages: [{ role: "user" as const, content: "What is the weather in Paris and Tokyo?" }] };
    const msg = await client.messages.create(body);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content.map((b) => b.type)).toEqual(["text", "tool_use", "tool_use"]);
    expect(msg.content[1]).toMatchObject({ name: "get_weather", input: { location: "Paris" } });
    expect((msg.content[1] as { id: string }).id).toMatch(/^toolu_/);

    const single = await client.messages.create({ ...body, tool_choice: { type: "any", disable_parallel_tool_use: true } });
    expect(single.content.map((b) => b.type)).toEqual(["tool_use"]);

    const final = await client.messages.stream(body).finalMessage();
    expect(final.content[2]).toMatchObject({ type: "tool_use", input: { location: "Tokyo" } });
    const raw = await rawStream(fake, body);
    expect(raw.match(/"input_json_delta"/g)?.length).toBeGreaterThan(4);
  });

  it("answers tool results without calling the tool again", async () => {
    const { client } = await setup();
    const msg = await client.messages.create({
      ...ASK,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { location: "Paris" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }] },
      ],
    });
    expect(msg).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "echo: sunny" }] });
  });

  it("thinks when thinking is enabled, with a signature", async () => {
    const { client } = await setup();
    const body = { ...ASK, max_tokens: 2048, thinking: { type: "enabled" as const, budget_tokens: 1024 } };
    const msg = await client.messages.create(body);
    expect(msg.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(msg.content[0]).toMatchObject({ thinking: expect.stringContaining("hello there"), signature: expect.any(String) });
    const final = await client.messages.stream(body).finalMessage();
    expect(final.content[0]).toMatchObject({ type: "thinking", signature: (msg.content[0] as { signature: string }).signature });
  });
});

describe("errors like Anthropic's", () => {
  it("rejects a wrong key, unknown models and bad requests with typed errors", async () => {
    const { client, fake } = await setup();
    const wrong = new Anthropic({ baseURL: fake.url, apiKey: "nope", maxRetries: 0 });
    await expect(wrong.messages.create(ASK)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const missing = await wrong.messages.create(ASK).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 401, type: "authentication_error" });
    await expect(client.messages.create({ ...ASK, model: "claude-nope" })).rejects.toMatchObject({ status: 404, type: "not_found_error", apiMessage: "model: claude-nope" });
    const noMax = { model: ASK.model, messages: ASK.messages } as unknown as typeof ASK;
    await expect(client.messages.create(noMax)).rejects.toMatchObject({ status: 400, apiMessage: "max_tokens: Field required" });
    const extra = { ...ASK, n: 2 } as typeof ASK;
    await expect(client.messages.create(extra)).rejects.toMatchObject({ status: 400, apiMessage: "n: Extra inputs are not permitted" });
    // API version 2026-10-21 (this SDK's) dropped temperature from its types; older versions still send it.
    const hot = { ...ASK, temperature: 1.5 } as typeof ASK;
    await expect(client.messages.create(hot)).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(client.messages.create({
      ...ASK,
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
        { role: "user", content: "and?" },
      ],
    })).rejects.toMatchObject({ status: 400, apiMessage: expect.stringContaining("tool_use") });
  });

  it("answers status faults with Anthropic's bodies (529 overloaded)", async () => {
    const { client } = await setup();
    const err = await client.messages.create(ASK, faultHeader({ kind: "status", status: 529 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect(err).toMatchObject({ status: 529, type: "overloaded_error", apiMessage: "Overloaded" });
  });

  it("rate limits with retry-after and anthropic-ratelimit headers", async () => {
    const { client, fake } = await setup();
    fake.setFault({ kind: "rate_limit", retryAfterSeconds: 7, times: 1 });
    const err = await client.messages.create(ASK).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const headers = (err as InstanceType<typeof Anthropic.RateLimitError>).headers;
    expect(headers.get("retry-after")).toBe("7");
    expect(headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(headers.get("anthropic-ratelimit-requests-reset")).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(client.messages.create(ASK)).resolves.toBeDefined();
  });

  it("sends an overloaded error event mid-stream", async () => {
    const { client, fake } = await setup();
    const stream = client.messages.stream(ASK, { headers: { [STREAM_ERROR_HEADER]: JSON.stringify({ afterEvents: 3 }) } });
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err).toMatchObject({ type: "overloaded_error" });
    fake.setStreamError({ afterEvents: 1, type: "api_error", message: "boom" });
    const raw = await rawStream(fake, ASK);
    expect(raw).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"boom"\}\}\n\n$/);
  });

  it("applies transport faults: slow first byte and a dropped stream", async () => {
    const { client } = await setup({}, { timeout: 100 });
    await expect(client.messages.create(ASK, faultHeader({ kind: "slow_first_byte", delayMs: 400 }))).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    const dropped = client.messages.stream(ASK, faultHeader({ kind: "drop_mid_stream", afterChunks: 3 }));
    await expect(dropped.finalMessage()).rejects.toBeInstanceOf(Error);
  });
});
