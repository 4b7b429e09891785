/**
 * The OpenAI fake driven by the official `openai` client: if the SDK can
 * read it, the gateway's OpenAI adapter will see what api.openai.com sends.
 * Faults are covered in openai-fake-faults.test.ts.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../index.js";

const API_KEY = "sk-test-0123456789";
const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a place",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["location"],
    },
  },
};

let fake: FakeServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startOpenAIFake({ apiKey: API_KEY });
  client = new OpenAI({ baseURL: fake.url, apiKey: API_KEY, maxRetries: 0 });
});
afterAll(() => fake.close());

describe("chat completions", () => {
  it("echoes the last user message with word-count usage and OpenAI headers", async () => {
    const { data, response, request_id } = await client.chat.completions
      .create({
        model: "gpt-4o",
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello there world" },
        ],
      })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.model).toBe("gpt-4o");
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]?.message).toMatchObject({ role: "assistant", content: "echo: hello there world", refusal: null });
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    expect(response.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    expect(request_id).toBe(response.headers.get("x-request-id"));
    for (const header of ["openai-processing-ms", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"]) {
      expect(response.headers.get(header), header).not.toBeNull();
    }
  });

  it("records each request", async () => {
    const before = fake.requests.length;
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "record me" }] });
    const recorded = fake.requests[before];
    expect(recorded).toMatchObject({ method: "POST", path: "/v1/chat/completions", query: {} });
    expect(recorded?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(recorded?.body).toMatchObject({ model: "gpt-4o-mini", messages: [{ role: "user", content: "record me" }] });
    expect(recorded?.receivedAt).toBeGreaterThan(Date.now() - 10_000);
  });

  it("reads text parts of array content", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "data:," } }] }],
    });
    expect(res.choices[0]?.message.content).toBe("echo: look");
  });

  it("returns n choices and stops at max_tokens with finish_reason length", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      n: 3,
      max_tokens: 2,
      messages: [{ role: "user", content: "one two three four" }],
    });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const choice of res.choices) {
      expect(choice.message.content).toBe("echo: one");
      expect(choice.finish_reason).toBe("length");
    }
    expect(res.usage?.completion_tokens).toBe(6);
  });

  it("answers with a tool call when tools are given and the user asks about the weather", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      tools: [WEATHER_TOOL],
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.id).toMatch(/^call_/);
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ location: "Paris", unit: "celsius" });
  });

  it("answers the tool result with text, and honours tool_choice none", async () => {
    const afterTool = await client.chat.completions.create({
      model: "gpt-4o",
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "weather in Rome?" },
        { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
    });
    expect(afterTool.choices[0]?.finish_reason).toBe("stop");
    const none = await client.chat.completions.create({
      model: "gpt-4o",
      tools: [WEATHER_TOOL],
      tool_choice: "none",
      messages: [{ role: "user", content: "weather in Rome?" }],
    });
    expect(none.choices[0]?.message.content).toBe("echo: weather in Rome?");
  });
});

describe("chat completion streams", () => {
  it("streams a role delta, content deltas, a finish chunk and, with include_usage, a usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream this please" }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: "assistant", content: "" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("echo: stream this please");
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(4);
    const finish = chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it("sends no usage field without include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams parallel tool calls that the SDK reassembles", async () => {
    const runner = client.chat.completions.stream({
      model: "gpt-4o",
      tools: [WEATHER_TOOL],
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "What's the weather in Paris, France and Tokyo?" }],
    });
    let argumentDeltas = 0;
    runner.on("chunk", (chunk) => {
      if (chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments) argumentDeltas += 1;
    });
    const final = await runner.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const calls = (choice?.message.tool_calls ?? []).map((call) => {
      if (call.type !== "function") throw new Error("expected function calls");
      return { name: call.function.name, args: JSON.parse(call.function.arguments) as unknown };
    });
    expect(calls).toEqual([
      { name: "get_weather", args: { location: "Paris, France", unit: "celsius" } },
      { name: "get_weather", args: { location: "Tokyo", unit: "celsius" } },
    ]);
    expect(argumentDeltas).toBeGreaterThan(6);
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("interleaves n choices", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      n: 2,
      stream: true,
      messages: [{ role: "user", content: "twice" }],
    });
    const texts = ["", ""];
    const finishes: (string | null)[] = [null, null];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        texts[choice.index] += choice.delta.content ?? "";
        if (choice.finish_reason) finishes[choice.index] = choice.finish_reason;
      }
    }
    expect(texts).toEqual(["echo: twice", "echo: twice"]);
    expect(finishes).toEqual(["stop", "stop"]);
  });
});

describe("options", () => {
  it("uses a fixed reply, a set number of pieces and a delay between events", async () => {
    const paced = await startOpenAIFake({ reply: "abcdefghij", streamChunks: 5, chunkDelayMs: 20 });
    try {
      const sdk = new OpenAI({ baseURL: paced.url, apiKey: "any", maxRetries: 0 });
      const started = Date.now();
      const stream = await sdk.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "x" }] });
      const pieces: string[] = [];
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
      expect(pieces).toEqual(["ab", "cd", "ef", "gh", "ij"]);
      // role + 5 pieces + finish + [DONE] = 8 events, 7 pauses.
      expect(Date.now() - started).toBeGreaterThanOrEqual(7 * 20 - 5);
    } finally {
      await paced.close();
    }
  });

  it("serves cached bytes in fast mode without recording", async () => {
    const fast = await startOpenAIFake({ fast: true, reply: "canned" });
    try {
      const sdk = new OpenAI({ baseURL: fast.url, apiKey: "any", maxRetries: 0 });
      const a = await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "first" }] });
      const b = await sdk.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "second" }] });
      expect(b).toEqual(a);
      expect(a.choices[0]?.message.content).toBe("canned");
      const stream = await sdk.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "x" }] });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe("canned");
      expect(fast.requests).toEqual([]);
    } finally {
      await fast.close();
    }
  });
});

describe("errors", () => {
  it("rejects a wrong or missing key with 401 invalid_api_key", async () => {
    const wrong = new OpenAI({ baseURL: fake.url, apiKey: "sk-wrong-key-000", maxRetries: 0 });
    const error = await wrong.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: "invalid_api_key", type: "invalid_request_error", param: null });
    const res = await fetch(`${fake.url}/models`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-nope", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: "model_not_found" });
    expect((error as Error).message).toContain("The model `gpt-nope` does not exist");
  });

  it("answers a malformed body with 400 and an OpenAI error", async () => {
    const res = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: '{"model": "gpt-4o", "messages": [',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { type: "invalid_request_error", param: null, code: null, message: expect.stringContaining("could not parse the JSON body") },
    });
    // Deliberately invalid (no messages), which the SDK's types would refuse.
    const missing = await client.chat.completions.create({ model: "gpt-4o" } as never).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing).toMatchObject({ param: "messages", code: "missing_required_parameter" });
  });

  it("answers unknown routes with OpenAI's Invalid URL 404", async () => {
    const res = await fetch(`${fake.url}/nope`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: "Invalid URL (GET /v1/nope)" } });
  });
});
