/**
 * The official @anthropic-ai/sdk against the gateway's POST /v1/messages,
 * routed to an OpenAI-wire upstream and to the mock: text, streams, tools
 * (streamed both ways) and typed errors.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let fake: FakeServer;
let gw: CliServer;
let client: Anthropic;

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

beforeAll(async () => {
  fake = await startOpenAIFake();
  gw = await startCli({
    admin_key: "gw-key",
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { up: { type: "openai", base_url: fake.url } },
    models: { "claude-like": { targets: [{ provider: "up", model: "gpt-4o" }] } },
    aliases: { "claude-sonnet-4-5": "claude-like" },
  });
  client = new Anthropic({ baseURL: gw.url, apiKey: "gw-key", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
});

describe("POST /v1/messages", () => {
  it("answers a message with the system prompt mapped, in Anthropic's shape", async () => {
    const msg = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, system: "Be brief.", messages: [{ role: "user", content: "hello anthropic" }] });
    expect(msg.type).toBe("message");
    expect(msg.role).toBe("assistant");
    expect(msg.content[0]).toMatchObject({ type: "text", text: "echo: hello anthropic" });
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: unknown }[]; max_tokens: number };
    expect(sent.messages[0]).toMatchObject({ role: "system" });
    expect(sent.max_tokens).toBe(100);
  });

  it("streams text with the exact event sequence the SDK expects", async () => {
    const stream = client.messages.stream({ model: "mock/echo", max_tokens: 50, messages: [{ role: "user", content: "stream through messages" }] });
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "stream through messages" });
    expect(types[0]).toBe("message_start");
    expect(types).toContain("content_block_start");
    expect(types).toContain("content_block_delta");
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(final.usage.output_tokens).toBe(3);
  });

  it("returns tool_use blocks, non-stream and streamed", async () => {
    const msg = await client.messages.create({ model: "claude-like", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "what is the weather in Rome" }] });
    expect(msg.stop_reason).toBe("tool_use");
    const use = msg.content.find((b) => b.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather" });
    expect(typeof (use as Anthropic.ToolUseBlock).input).toBe("object");

    const final = await client.messages.stream({ model: "claude-like", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "weather in Lima?" }] }).finalMessage();
    const streamed = final.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
    expect(streamed.name).toBe("get_weather");
    expect(streamed.input).toEqual(expect.any(Object));
    expect(final.stop_reason).toBe("tool_use");

    // The tool result goes back as a tool_result block and reaches the upstream as a tool message.
    await client.messages.create({
      model: "claude-like", max_tokens: 100, tools: [weather],
      messages: [
        { role: "user", content: "weather in Lima?" },
        { role: "assistant", content: [{ type: "tool_use", id: streamed.id, name: "get_weather", input: streamed.input }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: streamed.id, content: "sunny, 24C" }] },
      ],
    });
    const upstream = fake.requests.at(-1)!.body as { messages: { role: string; tool_call_id?: string; tool_calls?: unknown[] }[] };
    expect(upstream.messages.find((m) => m.role === "assistant")?.tool_calls).toHaveLength(1);
    expect(upstream.messages.find((m) => m.role === "tool")?.tool_call_id).toBe(streamed.id);
  });

  it("errors surface as the SDK's typed errors in Anthropic's shape", async () => {
    await expect(client.messages.create({ model: "nope", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(new Anthropic({ baseURL: gw.url, apiKey: "wrong", maxRetries: 0 }).messages.create({ model: "mock/echo", max_tokens: 10, messages: [{ role: "user", content: "x" }] }))
      .rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const bad = await client.messages.create({ model: "mock/echo", messages: [{ role: "user", content: "x" }] } as never).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("records /v1/messages requests in the log", async () => {
    await expect.poll(async () => {
      const res = await fetch(`${gw.url}/admin/logs?limit=100`, { headers: { authorization: "Bearer gw-key" } });
      const body = (await res.json()) as { data: { endpoint: string }[] };
      return body.data.filter((r) => r.endpoint === "/v1/messages").length;
    }).toBeGreaterThanOrEqual(5);
  });
});
