/**
 * The fake Ollama, seen through the official `ollama` client (proof that it
 * speaks the real protocol) and through raw HTTP (for the bytes the client
 * hides: content types, NDJSON framing, status codes, faults).
 */
import { Ollama } from "ollama";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAULT_HEADER, type Fault } from "../_shared/faults.js";
import type { FakeServer } from "../_shared/fake-server.js";
import { startOllamaFake } from "./ollama-fake.js";

let fake: FakeServer;
let client: Ollama;

beforeAll(async () => {
  fake = await startOllamaFake();
  client = new Ollama({ host: fake.url });
});
afterAll(() => fake.close());

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the weather in a given city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

function lines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("through the ollama client", () => {
  it("chats without streaming", async () => {
    const res = await client.chat({ model: "llama3.2", messages: [{ role: "user", content: "why is the sky blue" }] });
    expect(res.message).toEqual({ role: "assistant", content: "echo: why is the sky blue" });
    expect(res.done).toBe(true);
    expect(res.done_reason).toBe("stop");
    expect(res.prompt_eval_count).toBe(5);
    expect(res.eval_count).toBe(6);
    expect(fake.requests.at(-1)?.body).toMatchObject({ stream: false });
  });

  it("streams partial messages and ends with the counts", async () => {
    const stream = await client.chat({ model: "llama3.2", messages: [{ role: "user", content: "a b c" }], stream: true });
    const parts = [];
    for await (const part of stream) parts.push(part);
    expect(parts.map((p) => p.message.content).join("")).toBe("echo: a b c");
    const last = parts.at(-1)!;
    expect(last.done).toBe(true);
    expect(last).toMatchObject({ done_reason: "stop", prompt_eval_count: 3, eval_count: 4 });
    expect(parts.slice(0, -1).every((p) => p.done === false)).toBe(true);
  });

  it("answers a weather question with whole tool calls", async () => {
    const res = await client.chat({ model: "llama3.2", messages: [{ role: "user", content: "what is the weather in Paris and Tokyo?" }], tools: [WEATHER_TOOL] });
    expect(res.message.content).toBe("");
    expect(res.message.tool_calls).toEqual([
      { function: { name: "get_weather", arguments: { city: "Paris" } } },
      { function: { name: "get_weather", arguments: { city: "Tokyo" } } },
    ]);
  });

  it("streams tool calls in one object", async () => {
    const stream = await client.chat({ model: "llama3.2", messages: [{ role: "user", content: "weather in Oslo" }], tools: [WEATHER_TOOL], stream: true });
    const withCalls = [];
    for await (const part of stream) if (part.message.tool_calls) withCalls.push(part.message.tool_calls);
    expect(withCalls).toEqual([[{ function: { name: "get_weather", arguments: { city: "Oslo" } } }]]);
  });

  it("thinks when asked, on a thinking model", async () => {
    const res = await client.chat({ model: "qwen3", messages: [{ role: "user", content: "1+1" }], think: true });
    expect(res.message.thinking).toBe("Thinking about: 1+1");
    expect(res.message.content).toBe("echo: 1+1");
  });

  it("takes base64 images", async () => {
    const res = await client.chat({ model: "llava", messages: [{ role: "user", content: "what is this", images: ["iVBORw0KGgo="] }] });
    expect(res.message.content).toBe("echo: what is this");
  });

  it("embeds one or many texts, deterministically", async () => {
    const one = await client.embed({ model: "all-minilm", input: "hello world" });
    expect(one.embeddings).toHaveLength(1);
    expect(one.embeddings[0]).toHaveLength(384);
    expect(one.prompt_eval_count).toBe(2);
    const many = await client.embed({ model: "embeddinggemma", input: ["hello world", "other"], dimensions: 8 });
    expect(many.embeddings.map((e) => e.length)).toEqual([8, 8]);
    const again = await client.embed({ model: "embeddinggemma", input: "hello world", dimensions: 8 });
    expect(again.embeddings[0]).toEqual(many.embeddings[0]);
  });

  it("generates", async () => {
    const res = await client.generate({ model: "llama3.2", prompt: "say hi" });
    expect(res.response).toBe("echo: say hi");
    expect(res.done_reason).toBe("stop");
  });

  it("lists models and reports a version", async () => {
    const list = await client.list();
    expect(list.models.map((m) => m.name)).toContain("llama3.2:latest");
    expect(list.models[0]?.details.format).toBe("gguf");
    expect((await client.version()).version).toBe("0.12.6");
  });

  it("raises the client's ResponseError for an unknown model", async () => {
    await expect(client.chat({ model: "nope", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      name: "ResponseError",
      status_code: 404,
      error: 'model "nope" not found, try pulling it first',
    });
  });

  it("surfaces a mid-stream error line as the client's error", async () => {
    const stream = await client.chat({ model: "llama3.2", messages: [{ role: "user", content: "please crash now" }], stream: true });
    const seen: string[] = [];
    await expect((async () => {
      for await (const part of stream) seen.push(part.message.content);
    })()).rejects.toThrow("an error was encountered while running the model");
    expect(seen.join("")).toBe("echo: please");
  });
});

describe("on the wire", () => {
  it("streams NDJSON unless stream is false", async () => {
    const res = await post("/api/chat", { model: "llama3.2", messages: [{ role: "user", content: "x y" }] });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/x-ndjson");
    const events = lines(res.text);
    expect(Object.keys(events[0]!)).toEqual(["model", "created_at", "message", "done"]);
    expect(events.at(-1)).toMatchObject({ done: true, done_reason: "stop", message: { role: "assistant", content: "" } });
    expect(Object.keys(events.at(-1)!)).toEqual([
      "model", "created_at", "message", "done_reason", "done",
      "total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration",
    ]);
    expect(res.text.endsWith("}\n")).toBe(true);
  });

  it("answers JSON with stream: false", async () => {
    const res = await post("/api/chat", { model: "llama3.2", stream: false, messages: [{ role: "user", content: "x" }] });
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.text)).toMatchObject({ model: "llama3.2", done: true, message: { content: "echo: x" } });
  });

  it("cuts the reply at num_predict with done_reason length", async () => {
    const res = await post("/api/chat", { model: "llama3.2", stream: false, options: { num_predict: 2 }, messages: [{ role: "user", content: "a b c d" }] });
    expect(JSON.parse(res.text)).toMatchObject({ message: { content: "echo: a" }, done_reason: "length", eval_count: 2 });
  });

  it("answers JSON mode and structured outputs with JSON", async () => {
    const mode = JSON.parse((await post("/api/chat", { model: "llama3.2", stream: false, format: "json", messages: [{ role: "user", content: "x" }] })).text) as { message: { content: string } };
    expect(JSON.parse(mode.message.content)).toEqual({ echo: "x" });
    const schema = { type: "object", properties: { age: { type: "integer" }, ok: { type: "boolean" } } };
    const structured = JSON.parse((await post("/api/chat", { model: "llama3.2", stream: false, format: schema, messages: [{ role: "user", content: "x" }] })).text) as { message: { content: string } };
    expect(JSON.parse(structured.message.content)).toEqual({ age: 1, ok: true });
  });

  it("rejects what Ollama's JSON binding rejects", async () => {
    const cases: [unknown, number, string][] = [
      ["", 400, "missing request body"],
      ["{nope", 400, "invalid character 'n' looking for beginning of value"],
      [{ messages: [] }, 400, "model is required"],
      [{ model: "llama3.2", messages: [{ role: "user", content: [{ type: "text", text: "x" }] }] }, 400, "cannot unmarshal array into Go struct field Message.messages.content of type string"],
      [{ model: "llama3.2", messages: [{ role: "user", content: "x", images: ["data:image/png;base64,AAAA"] }] }, 400, "illegal base64 data"],
      [{ model: "llama3.2", messages: [{ role: "assistant", content: "", tool_calls: [{ function: { name: "f", arguments: "{}" } }] }] }, 400, "cannot unmarshal string into Go struct field ToolCallFunction.messages.tool_calls.function.arguments"],
      [{ model: "llama3.2", think: true, messages: [{ role: "user", content: "x" }] }, 400, '"llama3.2" does not support thinking'],
      [{ model: "all-minilm", messages: [{ role: "user", content: "x" }] }, 400, '"all-minilm" does not support chat'],
      [{ model: "llama3.2", format: "yaml", messages: [{ role: "user", content: "x" }] }, 400, "invalid format"],
      [{ model: "missing:7b", messages: [] }, 404, 'model "missing:7b" not found, try pulling it first'],
    ];
    for (const [body, status, message] of cases) {
      const res = await post("/api/chat", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((JSON.parse(res.text) as { error: string }).error).toContain(message);
    }
  });

  it("answers unknown routes with gin's plain-text 404", async () => {
    const res = await post("/v1/chat/completions", { model: "llama3.2" });
    expect(res.status).toBe(404);
    expect(res.text).toBe("404 page not found");
  });

  it("loads a model on an empty chat", async () => {
    const res = await post("/api/chat", { model: "llama3.2", stream: false, messages: [] });
    expect(JSON.parse(res.text)).toMatchObject({ done: true, done_reason: "load" });
  });

  it("requires the Bearer key when it has one", async () => {
    const locked = await startOllamaFake({ apiKey: "ok-key" });
    try {
      const res = await request(`${locked.url}/api/tags`);
      expect(res.statusCode).toBe(401);
      expect(await res.body.json()).toEqual({ error: "unauthorized" });
      const hosted = new Ollama({ host: locked.url, headers: { Authorization: "Bearer ok-key" } });
      expect((await hosted.list()).models.length).toBeGreaterThan(0);
    } finally {
      await locked.close();
    }
  });
});

describe("faults", () => {
  const fault = (f: Fault) => ({ [FAULT_HEADER]: JSON.stringify(f) });
  const chat = { model: "llama3.2", messages: [{ role: "user", content: "a b c d e f" }] };

  it("status faults carry Ollama's error body", async () => {
    const res = await post("/api/chat", chat, fault({ kind: "status", status: 503 }));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ error: "server busy, please try again.  maximum pending requests exceeded" });
  });

  it("rate_limit sends 429 with retry-after", async () => {
    const res = await post("/api/chat", chat, fault({ kind: "rate_limit", retryAfterSeconds: 7 }));
    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("7");
  });

  it("drop_mid_stream cuts the NDJSON after N lines", async () => {
    const res = await request(`${fake.url}/api/chat`, { method: "POST", body: JSON.stringify(chat), headers: fault({ kind: "drop_mid_stream", afterChunks: 2 }) });
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
  });

  it("malformed_json breaks one line of the stream", async () => {
    const res = await post("/api/chat", chat, fault({ kind: "malformed_json" }));
    const raw = res.text.split("\n").filter(Boolean);
    expect(() => raw.forEach((line) => JSON.parse(line))).toThrow();
    expect(JSON.parse(raw[0]!)).toMatchObject({ done: false });
  });

  it("the client sees a stream cut by drop_mid_stream as an error", async () => {
    const faulty = new Ollama({ host: fake.url, headers: fault({ kind: "drop_mid_stream", afterChunks: 2 }) });
    const stream = await faulty.chat({ ...chat, stream: true });
    await expect((async () => {
      for await (const _ of stream) { /* read until it breaks */ }
    })()).rejects.toThrow();
  });
});
