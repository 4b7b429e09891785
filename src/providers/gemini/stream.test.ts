/**
 * Recorded SSE bodies (Google's framing: `data: <one-line JSON>` and CRLF
 * blank lines) → canonical chunks. Bodies are fed in 7-byte packets so
 * events and multi-byte characters are split mid-way, as TCP may split them.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk } from "../../core/types.js";
import type { UpstreamResponse } from "../_shared/http.js";
import type { CallContext } from "../types.js";
import { GeminiStreamTranslator, geminiStream } from "./stream.js";

interface StreamCase {
  description: string;
  requestModel: string;
  includeUsage: boolean;
  chunks?: unknown[];
  chunkCount?: number;
  error?: Record<string, unknown>;
}

const cases = JSON.parse(readFileSync(new URL("./fixtures/stream-expected.json", import.meta.url), "utf8")) as Record<string, StreamCase>;

const ctx: CallContext = {
  signal: new AbortController().signal,
  timeouts: { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 10000 },
  requestId: "t",
};

function packets(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function response(bytes: Buffer): UpstreamResponse {
  // A Readable has the iterator()/destroy() surface the stream reader uses from undici's body.
  return { status: 200, headers: {}, body: Readable.from(packets(bytes, 7)) as unknown as UpstreamResponse["body"] };
}

function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => {
    if (key === "created") return undefined;
    const call = typeof v === "string" ? /^call_[0-9a-f]{24}(?:__thought__(.+))?$/.exec(v) : null;
    if (call) return call[1] ? `<call_…__thought__${call[1]}>` : "<call_…>";
    return v;
  }));
}

async function run(name: string, c: StreamCase): Promise<{ chunks: ChatChunk[]; error: unknown }> {
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const chunks: ChatChunk[] = [];
  try {
    for await (const chunk of geminiStream(response(bytes), ctx, "gemini", new GeminiStreamTranslator(c.requestModel, c.includeUsage))) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

describe("stream fixtures", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.description}`, async () => {
      const { chunks, error } = await run(name, c);
      if (c.error === undefined) {
        expect(error).toBeUndefined();
        expect(normalize(chunks)).toEqual(c.chunks);
        const created = new Set(chunks.map((chunk) => chunk.created));
        expect(created.size).toBe(1);
      } else {
        expect(chunks).toHaveLength(c.chunkCount ?? 0);
        expect(error).toBeInstanceOf(GatewayError);
        expect(error).toMatchObject(c.error);
      }
    });
  }

  it("a stream whose candidates never finish stays incomplete even when events keep coming", () => {
    const translator = new GeminiStreamTranslator("m", false);
    translator.push({ candidates: [{ index: 0, content: { parts: [{ text: "a" }] }, finishReason: "STOP" }, { index: 1, content: { parts: [{ text: "b" }] } }] });
    expect(() => translator.end("g")).toThrow(/ended before the answer was complete/);
  });

  it("an event that is not JSON is a broken stream", async () => {
    const bytes = Buffer.from('data: {"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"},"index": 0}]}\r\n\r\ndata: {"candidates": [{"con\r\n\r\n');
    const result: ChatChunk[] = [];
    await expect((async () => {
      for await (const chunk of geminiStream(response(bytes), ctx, "gemini", new GeminiStreamTranslator("m", false))) result.push(chunk);
    })()).rejects.toMatchObject({ code: "stream_interrupted" });
    expect(result.map((c) => c.choices[0]?.delta.content)).toEqual(["", "Hi"]);
  });
});
