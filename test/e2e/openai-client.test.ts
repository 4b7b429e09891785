/**
 * The official `openai` client against the real CLI server, with fake
 * OpenAI and Azure upstreams and the built-in mock provider behind it.
 */
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureFake, startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { weatherTool } from "../helpers/fixtures.js";

let openaiFake: FakeServer;
let azureFake: FakeServer;
let gw: CliServer;
let client: OpenAI;


beforeAll(async () => {
  openaiFake = await startOpenAIFake({ apiKey: "sk-upstream" });
  azureFake = await startAzureFake({ apiKey: "azure-key", deployments: ["prod-gpt4o", "embed-small"] });
  gw = await startCli({
    admin_key: "gw-admin-key",
    // One attempt: these tests are about how errors surface, not about retries (routing.test.ts).
    routing: { retry: { max_attempts: 1 } },
    providers: {
      openai: { type: "openai", base_url: openaiFake.url, api_key: "sk-upstream", models: ["gpt-4o-mini"] },
      azure: { type: "azure", base_url: azureFake.url, api_key: "azure-key", api_version: "2024-10-21" },
      broken: { type: "openai", base_url: "http://127.0.0.1:1/v1", api_key: "x" },
    },
    models: {
      smart: { targets: [{ provider: "openai", model: "gpt-4o" }] },
      "azure-smart": { targets: [{ provider: "azure", model: "prod-gpt4o" }] },
      "azure-embed": { targets: [{ provider: "azure", model: "embed-small" }] },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "gw-admin-key", maxRetries: 0 });
});

afterAll(async () => {
  await gw?.dispose();
  await openaiFake?.close();
  await azureFake?.close();
});

describe("chat completions", () => {
  it("answers through a configured model name and reports the route in headers", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "smart", messages: [{ role: "user", content: "hello gateway" }], temperature: 0.2, seed: 7, user: "u-1" })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("echo: hello gateway");
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-liaison-provider")).toBe("openai");
    expect(response.headers.get("x-liaison-model")).toBe("gpt-4o");
    expect(response.headers.get("x-liaison-attempts")).toBe("1");
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    // The upstream saw our provider key, the upstream model, and every parameter untouched.
    const sent = openaiFake.requests.at(-1)!;
    expect(sent.headers.authorization).toBe("Bearer sk-upstream");
    expect(sent.body).toMatchObject({ model: "gpt-4o", temperature: 0.2, seed: 7, user: "u-1" });
  });

  it("passes unknown and standard parameters through untouched", async () => {
    await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }],
      n: 2, stop: ["\n\n"], logprobs: true, top_logprobs: 2, response_format: { type: "json_object" },
      tools: [weatherTool], tool_choice: "auto",
      // @ts-expect-error: a parameter the SDK does not know must still reach the upstream
      some_future_param: { nested: [1, 2] },
    });
    const body = openaiFake.requests.at(-1)!.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: "gpt-4o-mini", n: 2, stop: ["\n\n"], logprobs: true, top_logprobs: 2, response_format: { type: "json_object" }, tool_choice: "auto", some_future_param: { nested: [1, 2] } });
    expect(body.tools).toEqual([weatherTool]);
  });

  it("returns tool calls", async () => {
    const res = await client.chat.completions.create({ model: "smart", messages: [{ role: "user", content: "what is the weather in Paris" }], tools: [weatherTool] });
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(res.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "get_weather" } });
  });

  it("streams content chunk by chunk with usage when asked", async () => {
    const stream = await client.chat.completions.create({ model: "smart", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "one two three four" }] });
    let text = "";
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("echo: one two three four");
    expect(chunks).toBeGreaterThan(3);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams tool-call arguments that the SDK reassembles", async () => {
    const runner = client.chat.completions.stream({ model: "smart", messages: [{ role: "user", content: "weather in Oslo please" }], tools: [weatherTool] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    expect(call && "function" in call ? JSON.parse(call.function.arguments) : null).toBeTypeOf("object");
    expect(final.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("serves the built-in mock provider with no key upstream", async () => {
    const res = await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "ping" }] });
    expect(res.choices[0]!.message.content).toBe("ping");
    const stream = await client.chat.completions.create({ model: "mock/echo", stream: true, messages: [{ role: "user", content: "a longer sentence to stream" }] });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe("a longer sentence to stream");
  });

  it("reaches Azure deployments with the api-key header and api-version", async () => {
    const { data, response } = await client.chat.completions.create({ model: "azure-smart", messages: [{ role: "user", content: "hi azure" }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe("echo: hi azure");
    expect(response.headers.get("x-liaison-provider")).toBe("azure");
    const sent = azureFake.requests.at(-1)!;
    expect(sent.path).toBe("/openai/deployments/prod-gpt4o/chat/completions");
    expect(sent.query["api-version"]).toBe("2024-10-21");
    expect(sent.headers["api-key"]).toBe("azure-key");
    let text = "";
    for await (const c of await client.chat.completions.create({ model: "azure-smart", stream: true, messages: [{ role: "user", content: "streamed azure" }] })) {
      text += c.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("echo: streamed azure");
  });
});

describe("other routes", () => {
  it("legacy completions, stream and non-stream", async () => {
    const res = await client.completions.create({ model: "openai/gpt-3.5-turbo-instruct", prompt: "say this" });
    expect(res.choices[0]!.text.length).toBeGreaterThan(0);
    let text = "";
    for await (const c of await client.completions.create({ model: "mock/echo", prompt: "stream me back", stream: true })) text += c.choices[0]?.text ?? "";
    expect(text).toBe("stream me back");
  });

  it("embeddings: float, base64 (decoded by the SDK) and Azure", async () => {
    const float = await client.embeddings.create({ model: "openai/text-embedding-3-small", input: ["alpha", "beta"], encoding_format: "float" });
    expect(float.data).toHaveLength(2);
    expect(float.data[0]!.embedding.length).toBeGreaterThan(0);
    const b64 = await client.embeddings.create({ model: "openai/text-embedding-3-small", input: "alpha" });
    expect(b64.data[0]!.embedding).toEqual(float.data[0]!.embedding.map((v) => Math.fround(v)));
    const az = await client.embeddings.create({ model: "azure-embed", input: "gamma", encoding_format: "float" });
    expect(az.data[0]!.embedding.length).toBeGreaterThan(0);
    const mock = await client.embeddings.create({ model: "mock/echo", input: "delta", encoding_format: "float" });
    expect(mock.data[0]!.embedding).toHaveLength(16);
  });

  it("models.list shows configured models and provider/model entries", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["smart", "azure-smart", "openai/gpt-4o-mini", "mock/echo"]));
  });
});

describe("errors surface as the SDK's typed errors", () => {
  it("bad key → AuthenticationError", async () => {
    const bad = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "wrong", maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("unknown model → NotFoundError with a helpful message", async () => {
    const err = await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as APIError).message).toMatch(/no-such-model/);
    expect((err as APIError).code).toBe("model_not_found");
  });

  it("invalid request → BadRequestError naming the parameter", async () => {
    const err = await client.chat.completions.create({ model: "mock/echo", messages: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as APIError).param).toBe("messages");
  });

  it("upstream 4xx keeps its status and message; upstream 429 keeps retry-after", async () => {
    const missing = await client.chat.completions.create({ model: "openai/gpt-does-not-exist", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as APIError).message).toMatch(/gpt-does-not-exist/);

    openaiFake.setFault({ kind: "rate_limit", retryAfterSeconds: 7, times: 1 });
    const limited = await client.chat.completions.create({ model: "smart", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as APIError).headers?.get("retry-after")).toBe("7");
  });

  it("upstream 5xx → 502, unreachable upstream → 502", async () => {
    openaiFake.setFault({ kind: "status", status: 500, times: 1 });
    const e500 = await client.chat.completions.create({ model: "smart", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(e500).toBeInstanceOf(OpenAI.InternalServerError);
    expect((e500 as APIError).status).toBe(502);
    const down = await client.chat.completions.create({ model: "broken/any", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect((down as APIError).status).toBe(502);
    expect((down as APIError).message).toMatch(/Could not reach provider 'broken'/);
  });
});

describe("canonical extensions never reach an OpenAI upstream", () => {
  it("strips reasoning carried back in assistant messages", async () => {
    await client.chat.completions.create({
      model: "smart",
      messages: [
        { role: "user", content: "q" },
        // @ts-expect-error: reasoning_content is the gateway's field (answers from Anthropic, Gemini, Ollama carry it)
        { role: "assistant", content: "a", reasoning_content: "thought", thinking_blocks: [{ type: "thinking", thinking: "t", signature: "s" }] },
        { role: "user", content: "q2" },
      ],
    });
    const sent = openaiFake.requests.at(-1)!.body as { messages: Record<string, unknown>[] };
    expect(sent.messages[1]).toEqual({ role: "assistant", content: "a" });
  });
});
