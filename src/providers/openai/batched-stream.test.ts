/**
 * Streams read a batch at a time (core/batched.ts): what one network read
 * completed arrives as one batch, item-by-item reading still works, an error
 * comes after the chunks that preceded it in the same read, and leaving early
 * closes the source.
 */
import { describe, expect, it } from "vitest";
import { batched, batchesOf, flatten } from "../../core/batched.js";
import { rawText } from "../../core/lazy-chunk.js";
import type { ChatChunk } from "../../core/types.js";
import { PushBody } from "../_shared/push-body.js";
import { openAIStream } from "./stream.js";
import type { CallContext } from "../types.js";

const ctx: CallContext = { signal: new AbortController().signal, timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, totalMs: 1000 }, requestId: "req_test" };
const chunk = (content: string, finish: string | null = null) =>
  JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
const sse = (events: string[]) => Buffer.from(events.map((e) => `data: ${e}\n\n`).join(""));

function body(...reads: Buffer[]): PushBody {
  const b = new PushBody();
  b.controller = { pause() {}, resume() {}, abort() {} };
  for (const r of reads) b.push(r);
  b.end();
  return b;
}

async function batchesFrom<T>(it: AsyncIterator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
  return out;
}

describe("batched streams", () => {
  it("hand over what one network read completed as one batch", async () => {
    const stream = openAIStream<ChatChunk>({ status: 200, headers: {}, body: body(sse([chunk("a"), chunk("b"), chunk("c")]), sse([chunk("", "stop"), "[DONE]"])) }, ctx, "up");
    const got = await batchesFrom(batchesOf(stream));
    expect(got.map((b) => b.length)).toEqual([3, 1]);
    expect(got.flat().map((c) => rawText(c))).toEqual([chunk("a"), chunk("b"), chunk("c"), chunk("", "stop")]);
  });

  it("still read item by item, and an error comes after the chunks before it in the same read", async () => {
    const stream = openAIStream<ChatChunk>({ status: 200, headers: {}, body: body(sse([chunk("a"), chunk("b"), '{"error":{"message":"overloaded"}}', chunk("c")])) }, ctx, "up");
    const seen: string[] = [];
    const err = await (async () => {
      for await (const c of stream) seen.push(rawText(c)!);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([chunk("a"), chunk("b")]);
    expect(err).toMatchObject({ code: "upstream_error", message: expect.stringContaining("overloaded") });
  });

  it("wrap a plain stream one item per batch, and close the source when the reader leaves early", async () => {
    let closed = false;
    async function* plain() {
      try {
        yield 1;
        yield 2;
        yield 3;
      } finally {
        closed = true;
      }
    }
    expect(await batchesFrom(batchesOf(plain()))).toEqual([[1], [2], [3]]);
    closed = false;
    const items = batched(() => batchesOf(plain()));
    for await (const n of items) if (n === 2) break;
    expect(closed).toBe(true);
    closed = false;
    for await (const n of flatten(batchesOf(plain()))) if (n === 1) break;
    expect(closed).toBe(true);
  });
});
