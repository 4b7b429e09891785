/**
 * Every provider behind the real server, driven by the official clients:
 * the openai SDK on /v1/chat/completions and /v1/embeddings, the Anthropic
 * SDK on /v1/messages. Each provider answers through its own fake upstream
 * that speaks its real wire protocol; tool calls are streamed both ways.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fakes from "../fakes/index.js";
import type { FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { weatherTool } from "../helpers/fixtures.js";

interface Case {
  name: string;
  start: () => Promise<FakeServer>;
  provider: (fake: FakeServer) => Record<string, unknown>;
  chatModel: string;
  embedModel?: string;
  /** What the fake's reply to "hello <x>" contains. */
  reply: RegExp;
}

const CASES: Case[] = [
  {
    name: "anthropic",
    start: () => fakes.startAnthropicFake({ apiKey: "sk-ant-test" }),
    provider: (f) => ({ type: "anthropic", base_url: f.url, api_key: "sk-ant-test" }),
    chatModel: "claude-sonnet-4-5",
    reply: /echo: hello anthropic/,
  },
  {
    name: "gemini",
    start: () => fakes.startGeminiFake({ apiKey: "g-key" }),
    provider: (f) => ({ type: "gemini", base_url: f.url, api_key: "g-key" }),
    chatModel: "gemini-2.5-flash",
    embedModel: "gemini-embedding-001",
    reply: /echo: hello gemini/,
  },
  {
    name: "ollama",
    start: () => fakes.startOllamaFake(),
    provider: (f) => ({ type: "ollama", base_url: f.url }),
    chatModel: "llama3.2",
    embedModel: "all-minilm",
    reply: /echo: hello ollama/,
  },
  {
    name: "bedrock",
    start: () => fakes.startBedrockFake(),
    provider: (f) => ({
      type: "bedrock", base_url: f.url, region: "us-east-1",
      access_key_id: fakes.FAKE_AWS_CREDENTIALS.accessKeyId, secret_access_key: fakes.FAKE_AWS_CREDENTIALS.secretAccessKey,
    }),
    chatModel: "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    reply: /echo: hello bedrock/,
  },
];

const running: { fake: FakeServer }[] = [];
let gw: CliServer;
let openai: OpenAI;
let anthropic: Anthropic;


beforeAll(async () => {
  const providers: Record<string, unknown> = {};
  for (const c of CASES) {
    const fake = await c.start();
    running.push({ fake });
    providers[c.name] = c.provider(fake);
  }
  gw = await startCli({ providers });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: "x", maxRetries: 0 });
});

afterAll(async () => {
  await gw?.dispose();
  await Promise.all(running.map((r) => r.fake.close()));
});

describe.each(CASES)("$name", (c) => {
  const model = () => `${c.name}/${c.chatModel}`;

  it("chat through the openai SDK", async () => {
    const { data, response } = await openai.chat.completions.create({ model: model(), messages: [{ role: "system", content: "be brief" }, { role: "user", content: `hello ${c.name}` }] }).withResponse();
    expect(data.choices[0]!.message.content).toMatch(c.reply);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-liaison-provider")).toBe(c.name);
  });

  it("streamed chat with usage", async () => {
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of await openai.chat.completions.create({ model: model(), stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: `hello ${c.name}` }] })) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toMatch(c.reply);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("tool calls, non-stream and streamed (reassembled by the SDK)", async () => {
    const res = await openai.chat.completions.create({ model: model(), tools: [weatherTool], messages: [{ role: "user", content: "what is the weather in Paris" }] });
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    const call = res.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    const final = await openai.chat.completions.stream({ model: model(), tools: [weatherTool], messages: [{ role: "user", content: "weather in Oslo?" }] }).finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls![0]!;
    expect(streamed.type === "function" && JSON.parse(streamed.function.arguments)).toEqual(expect.any(Object));
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");

    // The tool's answer goes back and the provider answers in text.
    const after = await openai.chat.completions.create({
      model: model(), tools: [weatherTool],
      messages: [
        { role: "user", content: "weather in Oslo?" },
        { role: "assistant", content: null, tool_calls: [streamed] },
        { role: "tool", tool_call_id: streamed.id, content: "sunny" },
      ],
    });
    expect(after.choices[0]!.message.content ?? "").not.toBe("");
  });

  it("through the Anthropic SDK on /v1/messages, tool use streamed", async () => {
    const msg = await anthropic.messages.create({ model: model(), max_tokens: 200, messages: [{ role: "user", content: `hello ${c.name}` }] });
    expect(msg.content[0]).toMatchObject({ type: "text" });
    expect((msg.content[0] as Anthropic.TextBlock).text).toMatch(c.reply);
    const final = await anthropic.messages.stream({
      model: model(), max_tokens: 200,
      tools: [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
      messages: [{ role: "user", content: "weather in Kyiv?" }],
    }).finalMessage();
    expect(final.content.find((b) => b.type === "tool_use")).toMatchObject({ name: "get_weather" });
    expect(final.stop_reason).toBe("tool_use");
  });

  it.runIf(c.embedModel !== undefined)("embeddings", async () => {
    const res = await openai.embeddings.create({ model: `${c.name}/${c.embedModel}`, input: ["alpha", "beta"], encoding_format: "float" });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding.length).toBeGreaterThan(0);
    const b64 = await openai.embeddings.create({ model: `${c.name}/${c.embedModel}`, input: "alpha" });
    expect(b64.data[0]!.embedding).toEqual(res.data[0]!.embedding.map((v) => Math.fround(v)));
  });
});
