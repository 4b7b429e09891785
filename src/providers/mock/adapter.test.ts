/**
 * The built-in mock provider against its recorded outputs: replies (echo,
 * the fixed sentence, configured text), stream chunking, legacy completions,
 * embeddings. Everything is deterministic but ids and timestamps, which are
 * masked.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from "../../core/types.js";
import type { CallContext } from "../types.js";
import { createMockAdapter } from "./adapter.js";
import { mockConfigSchema } from "./config.js";

interface Case<R> { description: string; config: Record<string, unknown>; request: R; expected: unknown }

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
const ctx: CallContext = { signal: new AbortController().signal, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 }, requestId: "r" };
const mock = (config: Record<string, unknown> = {}) => createMockAdapter("mock", mockConfigSchema.parse({ type: "mock", ...config }));
const masked = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === "id" ? "<id>" : key === "created" ? 0 : v)));

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

describe("chat", () => {
  for (const c of fixture<Case<ChatRequest>[]>("chat.json")) {
    it(c.description, async () => {
      expect(masked(await mock(c.config).chat(c.request, ctx))).toEqual(c.expected);
    });
  }
});

describe("streams", () => {
  const { chat, completions } = fixture<{ chat: Case<ChatRequest>[]; completions: Case<CompletionRequest>[] }>("stream.json");
  for (const c of chat) {
    it(c.description, async () => {
      const chunks = await collect(await mock(c.config).chatStream(c.request, ctx));
      expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
      expect(masked(chunks)).toEqual(c.expected);
    });
  }
  for (const c of completions) {
    it(c.description, async () => {
      expect(masked(await collect(await mock(c.config).completionsStream(c.request, ctx)))).toEqual(c.expected);
    });
  }

  it("waits chunk_delay_ms between chunks, and stops at once when the client goes", async () => {
    const controller = new AbortController();
    const slow = mock({ chunk_size: 1, chunk_delay_ms: 5 });
    const stream = await slow.chatStream({ model: "echo", messages: [{ role: "user", content: "abcdefghij" }] }, { ...ctx, signal: controller.signal });
    const got: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) {
        got.push(chunk.choices[0]?.delta.content ?? "");
        if (got.length === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(got).toEqual(["", "a", "b"]);
    expect(err).toMatchObject({ code: "client_closed" });
  });
});

describe("embeddings", () => {
  const f = fixture<{ request: EmbeddingRequest; expected: unknown; base64: { request: EmbeddingRequest; expected: { data: { embedding: string }[] } } }>("embeddings.json");

  it("hash vectors: the same text always gets the same unit vector", async () => {
    const res = await mock().embed(f.request, ctx);
    expect(res).toEqual(f.expected);
    for (const d of res.data) expect(Math.hypot(...(d.embedding as number[]))).toBeCloseTo(1, 12);
  });

  it("base64 is the vector's little-endian float32 bytes", async () => {
    const res = await mock().embed(f.base64.request, ctx);
    expect(res).toEqual(f.base64.expected);
    const bytes = Buffer.from(res.data[0]!.embedding as string, "base64");
    const floats = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    const plain = (await mock().embed({ ...f.base64.request, encoding_format: "float" }, ctx)).data[0]!.embedding as number[];
    expect(floats).toEqual(plain.map((v) => Math.fround(v)));
  });
});
