/**
 * The OpenAI fake's other endpoints (legacy completions, embeddings, models)
 * through the official client, plus the raw SSE bytes of a stream, which the
 * SDK would otherwise hide.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../index.js";

let fake: FakeServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startOpenAIFake();
  client = new OpenAI({ baseURL: fake.url, apiKey: "sk-any", maxRetries: 0 });
});
afterAll(() => fake.close());

function decodeBase64Floats(base64: string): number[] {
  const bytes = Buffer.from(base64, "base64");
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(bytes.readFloatLE(i));
  return out;
}

describe("legacy completions", () => {
  it("echoes the prompt", async () => {
    const res = await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "say this" });
    expect(res.object).toBe("text_completion");
    expect(res.id).toMatch(/^cmpl-/);
    expect(res.choices).toEqual([{ text: "echo: say this", index: 0, logprobs: null, finish_reason: "stop" }]);
    expect(res.usage).toEqual({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  });

  it("numbers choices prompt-major for several prompts and n", async () => {
    const res = await client.completions.create({ model: "gpt-3.5-turbo-instruct", prompt: ["a", "b"], n: 2 });
    expect(res.choices.map((c) => [c.index, c.text])).toEqual([
      [0, "echo: a"],
      [1, "echo: a"],
      [2, "echo: b"],
      [3, "echo: b"],
    ]);
  });

  it("streams text chunks of the same shape, then a usage chunk", async () => {
    const stream = await client.completions.create({
      model: "gpt-3.5-turbo-instruct",
      prompt: "stream me",
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === "text_completion")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.text ?? "").join("")).toBe("echo: stream me");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3 });
  });
});

describe("embeddings", () => {
  it("returns deterministic unit vectors as floats", async () => {
    const res = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["same text", "other text", "same text"],
      encoding_format: "float",
    });
    expect(res.object).toBe("list");
    expect(res.model).toBe("text-embedding-3-small");
    expect(res.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    const [a, b, c] = res.data.map((d) => d.embedding);
    expect(a).toHaveLength(1536);
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
    const norm = Math.sqrt((a ?? []).reduce((sum, v) => sum + v * v, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(res.data.map((d) => [d.object, d.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
      ["embedding", 2],
    ]);
  });

  it("encodes base64 as little-endian float32, identical to the float encoding", async () => {
    const floats = await client.embeddings.create({ model: "text-embedding-3-small", input: "vector", encoding_format: "float" });
    const base64 = await client.embeddings.create({ model: "text-embedding-3-small", input: "vector", encoding_format: "base64" });
    const raw = base64.data[0]?.embedding as unknown as string;
    expect(typeof raw).toBe("string");
    expect(decodeBase64Floats(raw)).toEqual(floats.data[0]?.embedding.map((v) => Math.fround(v)));
    // Without encoding_format the SDK asks for base64 and decodes it itself.
    const decoded = await client.embeddings.create({ model: "text-embedding-3-small", input: "vector" });
    expect(Array.from(decoded.data[0]?.embedding ?? [])).toEqual(decodeBase64Floats(raw));
    expect(fake.requests.at(-1)?.body).toMatchObject({ encoding_format: "base64" });
  });

  it("honours dimensions and model defaults", async () => {
    const small = await client.embeddings.create({ model: "text-embedding-3-small", input: "x", dimensions: 8, encoding_format: "float" });
    expect(small.data[0]?.embedding).toHaveLength(8);
    const large = await client.embeddings.create({ model: "text-embedding-3-large", input: [[1, 2, 3]], encoding_format: "float" });
    expect(large.data[0]?.embedding).toHaveLength(3072);
    expect(large.usage.prompt_tokens).toBe(3);
    const error = await client.embeddings.create({ model: "text-embedding-3-small", input: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe("models", () => {
  it("lists and retrieves models", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("gpt-4o");
    expect(ids).toContain("text-embedding-3-small");
    const model = await client.models.retrieve("gpt-4o");
    expect(model).toMatchObject({ id: "gpt-4o", object: "model", owned_by: "system" });
    expect(typeof model.created).toBe("number");
    await expect(client.models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("serves only the configured models", async () => {
    const narrow = await startOpenAIFake({ models: ["only-this"] });
    try {
      const sdk = new OpenAI({ baseURL: narrow.url, apiKey: "x", maxRetries: 0 });
      const page = await sdk.models.list();
      expect(page.data.map((m) => m.id)).toEqual(["only-this"]);
      const res = await sdk.chat.completions.create({ model: "only-this", messages: [{ role: "user", content: "hi" }] });
      expect(res.model).toBe("only-this");
    } finally {
      await narrow.close();
    }
  });
});

describe("wire bytes", () => {
  it("frames each event as one data line and a blank line, ending with data: [DONE]", async () => {
    const res = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "a b" }] }),
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const body = await res.text();
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true);
    const frames = body.split("\n\n").slice(0, -1);
    expect(frames.every((frame) => frame.startsWith("data: ") && !frame.slice(6).includes("\n"))).toBe(true);
    const events = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice(6)) as Record<string, unknown>);
    expect(events.map((e) => Object.keys(e).slice(0, 4))).toEqual(events.map(() => ["id", "object", "created", "model"]));
    expect(events.every((e) => e.object === "chat.completion.chunk" && typeof e.obfuscation === "string")).toBe(true);
  });

  it("drops obfuscation when include_obfuscation is false", async () => {
    const res = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: "gpt-4o",
        stream: true,
        stream_options: { include_obfuscation: false },
        messages: [{ role: "user", content: "a" }],
      }),
    });
    expect(await res.text()).not.toContain("obfuscation");
  });
});
