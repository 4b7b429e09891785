/**
 * Recorded OpenAI SSE bodies → chunks. Bodies are fed in 7-byte packets, so
 * events and multi-byte characters are split mid-way as TCP may split them.
 * Chunks are OpenAI's own shape, so each must come out as the upstream sent
 * it, byte for byte; what the translation decides is which events are
 * chunks, which stay unparsed text, and whether the answer was complete.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import { LazyChunk, rawText } from "../../core/lazy-chunk.js";
import type { ChatChunk } from "../../core/types.js";
import { PushBody } from "../_shared/push-body.js";
import type { CallContext } from "../types.js";
import { openAIStream } from "./stream.js";

interface StreamCase { description: string; lazy: boolean[]; error?: Record<string, unknown> }

const dir = new URL("./fixtures/", import.meta.url);
const cases = JSON.parse(readFileSync(new URL("stream-expected.json", dir), "utf8")) as Record<string, StreamCase>;
const ctx: CallContext = { signal: new AbortController().signal, timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, totalMs: 1000 }, requestId: "t" };

/**
 * A body fed with the recording in packets; `calls` records what the stream
 * asked of the connection. Unless `ended`, the response is still open.
 */
function recorded(bytes: Buffer, size = 7, ended = true): { body: PushBody; calls: string[] } {
  const calls: string[] = [];
  const body = new PushBody();
  body.controller = { pause: () => calls.push("pause"), resume: () => calls.push("resume"), abort: () => calls.push("abort") };
  for (let i = 0; i < bytes.length; i += size) body.push(bytes.subarray(i, i + size));
  if (ended) body.end();
  return { body, calls };
}

/** The `data:` payloads of a recording, [DONE] aside: what must be forwarded unchanged. */
function payloads(text: string): string[] {
  return text.split("\n").filter((l) => l.startsWith("data: ") && l !== "data: [DONE]").map((l) => l.slice(6));
}

async function drain(stream: AsyncIterable<ChatChunk>): Promise<{ chunks: ChatChunk[]; error: unknown }> {
  const chunks: ChatChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

describe("stream fixtures", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.description}`, async () => {
      const bytes = readFileSync(new URL(name, dir));
      const sent = payloads(bytes.toString("utf8"));
      const { chunks, error } = await drain(openAIStream<ChatChunk>({ status: 200, headers: {}, body: recorded(bytes).body }, ctx, "openai"));
      expect(chunks.map((chunk) => rawText(chunk))).toEqual(sent.slice(0, chunks.length));
      expect(chunks.map((chunk) => chunk instanceof LazyChunk)).toEqual(c.lazy);
      expect(chunks.map((chunk) => JSON.parse(JSON.stringify(chunk)) as unknown)).toEqual(sent.slice(0, chunks.length).map((p) => JSON.parse(p) as unknown));
      if (c.error === undefined) {
        expect(error).toBeUndefined();
        expect(chunks).toHaveLength(sent.length);
      } else {
        expect(error).toBeInstanceOf(GatewayError);
        expect(error).toMatchObject(c.error);
      }
    });
  }

  it("reads a whole recording in one packet the same way", async () => {
    const bytes = readFileSync(new URL("stream-tool-calls.sse", dir));
    const { chunks } = await drain(openAIStream<ChatChunk>({ status: 200, headers: {}, body: recorded(bytes, bytes.length).body }, ctx, "openai"));
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((call) => call.function?.arguments).join("")).toBe('{\n"location": "Boston, MA"\n}');
  });
});

describe("the connection", () => {
  it("stays open for the pool at [DONE], and is closed when the reader leaves early", async () => {
    const bytes = readFileSync(new URL("stream-text.sse", dir));
    const whole = recorded(bytes, 7, false);
    await drain(openAIStream<ChatChunk>({ status: 200, headers: {}, body: whole.body }, ctx, "openai"));
    expect(whole.calls).not.toContain("abort");

    const early = recorded(bytes, 7, false);
    for await (const chunk of openAIStream<ChatChunk>({ status: 200, headers: {}, body: early.body }, ctx, "openai")) {
      if (chunk.choices[0]?.delta.content) break;
    }
    expect(early.calls.filter((c) => c === "abort")).toHaveLength(1);
  });
});
