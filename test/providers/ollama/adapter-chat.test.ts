/**
 * The Ollama adapter against the fake Ollama: chat (plain, streamed, tools,
 * thinking, images, JSON mode), embeddings and legacy completions, with the
 * wire requests checked as the fake received them. Streamed chunks are also
 * fed to the official openai SDK's stream accumulator, which must rebuild
 * the answer (tool calls included) exactly as from OpenAI itself.
 */
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatChunk, ChatMessage, ToolDefinition } from "../../../src/core/types.js";
import type { ProviderAdapter } from "../../../src/providers/types.js";
import { startOllamaFake, type FakeServer } from "../../fakes/index.js";
import { callContext, drain, ollamaAdapter, rejection } from "./adapter-harness.js";

let fake: FakeServer;
let adapter: ProviderAdapter;

beforeAll(async () => {
  fake = await startOllamaFake({ apiKey: "ollama-key" });
  adapter = ollamaAdapter(fake.url, { api_key: "ollama-key", keep_alive: "10m", options: { num_ctx: 4096 } });
});
afterAll(async () => {
  await adapter.close?.();
  await fake.close();
});

const WEATHER: ToolDefinition = {
  type: "function",
  function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

function lastWire(): Record<string, unknown> {
  return fake.requests.at(-1)?.body as Record<string, unknown>;
}

/** What the openai SDK makes of the chunks (its own accumulator, as a client of the gateway would run it). */
async function sdkAssembled(chunks: ChatChunk[]) {
  const encoder = new TextEncoder();
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(`${JSON.stringify(chunk)}\n`));
      controller.close();
    },
  });
  return ChatCompletionStream.fromReadableStream(readable).finalChatCompletion();
}

describe("chat", () => {
  it("answers without streaming, with usage, sending stream: false and the config's defaults", async () => {
    const res = await adapter.chat({ model: "llama3.2", temperature: 0.5, messages: [{ role: "user", content: "hello there" }] }, callContext());
    expect(res.choices[0]).toMatchObject({ index: 0, message: { role: "assistant", content: "echo: hello there" }, finish_reason: "stop" });
    expect(res.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    expect(res.model).toBe("llama3.2");
    expect(res.object).toBe("chat.completion");
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe("/api/chat");
    expect(req.headers.authorization).toBe("Bearer ollama-key");
    expect(req.body).toEqual({
      model: "llama3.2",
      messages: [{ role: "user", content: "hello there" }],
      stream: false,
      options: { num_ctx: 4096, temperature: 0.5 },
      keep_alive: "10m",
    });
  });

  it("streams: role chunk, content deltas, finish chunk, no usage unless asked", async () => {
    const chunks = await drain(await adapter.chatStream({ model: "llama3.2", stream: true, messages: [{ role: "user", content: "one two three" }] }, callContext()));
    expect(fake.requests.at(-1)?.headers.accept).toBe("application/x-ndjson");
    expect(lastWire().stream).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: one two three");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const sdk = await sdkAssembled(chunks);
    expect(sdk.choices[0]?.message.content).toBe("echo: one two three");
  });

  it("ends a stream with a usage chunk when include_usage is on", async () => {
    const chunks = await drain(await adapter.chatStream({
      model: "llama3.2", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a b" }],
    }, callContext()));
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams tool calls the openai SDK reassembles", async () => {
    const chunks = await drain(await adapter.chatStream({
      model: "llama3.2", stream: true, tools: [WEATHER], messages: [{ role: "user", content: "What is the weather in Paris and Tokyo?" }],
    }, callContext()));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.map((d) => [d.index, d.function?.name, d.function?.arguments])).toEqual([
      [0, "get_weather", '{"city":"Paris"}'],
      [1, "get_weather", '{"city":"Tokyo"}'],
    ]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
    const sdk = await sdkAssembled(chunks);
    expect(sdk.choices[0]?.finish_reason).toBe("tool_calls");
    const calls = sdk.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => c.type === "function" && [c.id, c.function.name, JSON.parse(c.function.arguments) as unknown])).toEqual([
      [deltas[0]?.id, "get_weather", { city: "Paris" }],
      [deltas[1]?.id, "get_weather", { city: "Tokyo" }],
    ]);
    expect(calls[0]?.id).toMatch(/^call_/);
  });

  it("runs a tool round trip: calls, then results named by function", async () => {
    const first = await adapter.chat({ model: "llama3.2", tools: [WEATHER], messages: [{ role: "user", content: "weather in Oslo" }] }, callContext());
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    const call = message.tool_calls![0]!;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Oslo" });

    const history: ChatMessage[] = [
      { role: "user", content: "weather in Oslo" },
      message,
      { role: "tool", tool_call_id: call.id, content: "4 degrees" },
      { role: "user", content: "thanks" },
    ];
    const second = await adapter.chat({ model: "llama3.2", tools: [WEATHER], messages: history }, callContext());
    expect(second.choices[0]?.message.content).toBe("echo: thanks");
    expect(lastWire().messages).toEqual([
      { role: "user", content: "weather in Oslo" },
      { role: "assistant", content: "", tool_calls: [{ function: { name: "get_weather", arguments: { city: "Oslo" } } }] },
      { role: "tool", content: "4 degrees", tool_name: "get_weather" },
      { role: "user", content: "thanks" },
    ]);
  });

  it("maps reasoning_effort to think and thinking to reasoning_content", async () => {
    const res = await adapter.chat({ model: "qwen3", reasoning_effort: "high", messages: [{ role: "user", content: "17 × 23" }] }, callContext());
    expect(lastWire().think).toBe("high");
    expect(res.choices[0]?.message).toMatchObject({ content: "echo: 17 × 23", reasoning_content: "Thinking about: 17 × 23" });

    const chunks = await drain(await adapter.chatStream({ model: "qwen3", stream: true, think: true, messages: [{ role: "user", content: "2+2" }] }, callContext()));
    expect(chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("")).toBe("Thinking about: 2+2");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: 2+2");
  });

  it("passes Ollama's refusal of think on a model that cannot think", async () => {
    const err = await rejection(adapter.chat({ model: "llama3.2", think: true, messages: [{ role: "user", content: "x" }] }, callContext()));
    expect([err.status, err.code, err.message]).toEqual([400, "invalid_request", '"llama3.2" does not support thinking']);
  });

  it("sends data: URL images as bare base64", async () => {
    const res = await adapter.chat({
      model: "llava",
      messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }],
    }, callContext());
    expect(res.choices[0]?.message.content).toBe("echo: what is this");
    expect(lastWire().messages).toEqual([{ role: "user", content: "what is this", images: ["iVBORw0KGgo="] }]);
  });

  it("refuses image URLs before calling Ollama", async () => {
    const before = fake.requests.length;
    const err = await rejection(adapter.chat({
      model: "llava", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }],
    }, callContext()));
    expect([err.status, err.code, err.param]).toEqual([400, "invalid_request", "messages[0].content[0].image_url.url"]);
    expect(err.message).toMatch(/base64/);
    expect(fake.requests.length).toBe(before);
  });

  it("asks for JSON with response_format", async () => {
    const res = await adapter.chat({ model: "llama3.2", response_format: { type: "json_object" }, messages: [{ role: "user", content: "hi" }] }, callContext());
    expect(lastWire().format).toBe("json");
    expect(JSON.parse(res.choices[0]?.message.content as string)).toEqual({ echo: "hi" });
  });

  it("stops at max_tokens with finish_reason length", async () => {
    const res = await adapter.chat({ model: "llama3.2", max_tokens: 2, messages: [{ role: "user", content: "a b c d" }] }, callContext());
    expect((lastWire().options as Record<string, unknown>).num_predict).toBe(2);
    expect(res.choices[0]).toMatchObject({ message: { content: "echo: a" }, finish_reason: "length" });
  });

  it("keeps Ollama's 404 for a model that is not pulled", async () => {
    const err = await rejection(adapter.chat({ model: "mistral", messages: [{ role: "user", content: "x" }] }, callContext()));
    expect(err).toMatchObject({ status: 404, code: "model_not_found", clientCode: "model_not_found", message: 'model "mistral" not found, try pulling it first' });
    const streamErr = await rejection(adapter.chatStream({ model: "mistral", stream: true, messages: [{ role: "user", content: "x" }] }, callContext()));
    expect(streamErr.status).toBe(404);
  });

  it("reports a wrong API key as 401", async () => {
    const wrong = ollamaAdapter(fake.url, { api_key: "nope" });
    const err = await rejection(wrong.chat({ model: "llama3.2", messages: [{ role: "user", content: "x" }] }, callContext()));
    expect([err.status, err.type, err.message]).toEqual([401, "authentication_error", "unauthorized"]);
    await wrong.close?.();
  });

  it("accepts a base URL that ends in /api, as ollama.com documents it", async () => {
    const hosted = ollamaAdapter(`${fake.url}/api/`, { api_key: "ollama-key" });
    const res = await hosted.chat({ model: "llama3.2", messages: [{ role: "user", content: "x" }] }, callContext());
    expect(res.choices[0]?.message.content).toBe("echo: x");
    await hosted.close?.();
  });
});

describe("embeddings", () => {
  it("embeds texts as floats, with usage", async () => {
    const res = await adapter.embed!({ model: "all-minilm", input: ["hello world", "bye"] }, callContext());
    expect(res.object).toBe("list");
    expect(res.data.map((d) => [d.index, (d.embedding as number[]).length])).toEqual([[0, 384], [1, 384]]);
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(fake.requests.at(-1)?.path).toBe("/api/embed");
    expect(lastWire()).toEqual({ model: "all-minilm", input: ["hello world", "bye"], options: { num_ctx: 4096 }, keep_alive: "10m" });
  });

  it("honours dimensions and base64 encoding", async () => {
    const floats = await adapter.embed!({ model: "embeddinggemma", input: "hello", dimensions: 8 }, callContext());
    const encoded = await adapter.embed!({ model: "embeddinggemma", input: "hello", dimensions: 8, encoding_format: "base64" }, callContext());
    const bytes = Buffer.from(encoded.data[0]!.embedding as string, "base64");
    expect(bytes.length).toBe(32);
    const decoded = Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual((floats.data[0]!.embedding as number[]).map((v) => Math.fround(v)));
  });
});

describe("legacy completions on /api/generate", () => {
  it("completes a prompt", async () => {
    const res = await adapter.completions!({ model: "llama3.2", prompt: "say hi", max_tokens: 50 }, callContext());
    expect(fake.requests.at(-1)?.path).toBe("/api/generate");
    expect(res.choices[0]).toMatchObject({ text: "echo: say hi", finish_reason: "stop" });
    expect(res.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  });

  it("streams a completion", async () => {
    const chunks = await drain(await adapter.completionsStream!({ model: "llama3.2", prompt: "a b", stream: true, stream_options: { include_usage: true } }, callContext()));
    expect(chunks.map((c) => c.choices[0]?.text ?? "").join("")).toBe("echo: a b");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  });
});
