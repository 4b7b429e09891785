/**
 * Pass-through stream chunks left unparsed (LazyChunk): which chunks stay
 * text, that they still serialize and read like parsed ones, that errors and
 * malformed events are still caught, that usage is still estimated when the
 * upstream reports none, and that library callers get plain objects.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { LazyChunk, plain, rawText } from "../../src/core/lazy-chunk.js";
import type { ChatChunk } from "../../src/core/types.js";
import { StreamUsageEstimator } from "../../src/cost/index.js";
import { PushBody } from "../../src/providers/_shared/push-body.js";
import { openAIStream } from "../../src/providers/openai/stream.js";
import type { CallContext } from "../../src/providers/types.js";
import { createGateway } from "../../src/index.js";
import { startOpenAIFake } from "../fakes/index.js";

const ctx: CallContext = { signal: new AbortController().signal, timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, totalMs: 1000 }, requestId: "req_test" };
const chunk = (fields: Record<string, unknown>) => JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", ...fields });

async function collect(events: string[]): Promise<ChatChunk[]> {
  const body = new PushBody();
  body.controller = { pause() {}, resume() {}, abort() {} } as never;
  body.push(Buffer.from(events.map((e) => `data: ${e}\n\n`).join("")));
  body.end();
  const out: ChatChunk[] = [];
  for await (const c of openAIStream<ChatChunk>({ status: 200, headers: {}, body }, ctx, "up")) out.push(c);
  return out;
}

describe("OpenAI stream chunks", () => {
  const content = chunk({ choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }], usage: null });
  const finish = chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: null });
  const usage = chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });

  it("leave content chunks as text, parse the finish and usage chunks, and forward every one byte for byte", async () => {
    const out = await collect([content, finish, usage, "[DONE]"]);
    expect(out.map((c) => c instanceof LazyChunk)).toEqual([true, false, false]);
    expect(out.map((c) => rawText(c))).toEqual([content, finish, usage]);
    // Read like parsed chunks, and serialize to the same JSON.
    expect(out[0]!.choices[0]!.delta.content).toBe("Hel");
    expect(out[0]!.usage).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out[0]))).toEqual(JSON.parse(content));
    expect(out[2]!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it("still catch an error event and a malformed event", async () => {
    await expect(collect([content, JSON.stringify({ error: { message: "overloaded", type: "server_error" } })])).rejects.toMatchObject({ code: "upstream_error" });
    await expect(collect([content, "{not json"])).rejects.toMatchObject({ code: "stream_interrupted" });
  });

  it("still notice a stream that ended without a finish reason", async () => {
    await expect(collect([content, content])).rejects.toMatchObject({ code: "stream_interrupted" });
  });

  it("estimate usage from unparsed chunks when the upstream reports none", () => {
    const lazy = new StreamUsageEstimator();
    const parsed = new StreamUsageEstimator();
    for (const text of [content, content, finish]) {
      lazy.add(new LazyChunk(text) as unknown as ChatChunk);
      parsed.add(JSON.parse(text) as ChatChunk);
    }
    const request = { messages: [{ role: "user" as const, content: "Say hello" }] };
    const estimate = lazy.usage(request, "gpt-4o-mini");
    expect(estimate.completion_tokens).toBeGreaterThan(0);
    expect(estimate).toEqual(parsed.usage(request, "gpt-4o-mini"));
  });

  it("reach library callers as plain objects", async () => {
    expect(plain(new LazyChunk(content))).toEqual(JSON.parse(content));
    const fake = await startOpenAIFake();
    const gateway = createGateway(validateConfig({ logging: { requests: false }, providers: { up: { type: "openai", base_url: fake.url } } }));
    try {
      let n = 0;
      for await (const c of gateway.chatStream({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: "hi there you" }] })) {
        expect(c).not.toBeInstanceOf(LazyChunk);
        expect({ ...c }.object).toBe("chat.completion.chunk");
        n++;
      }
      expect(n).toBeGreaterThan(2);
    } finally {
      await gateway.close();
      await fake.close();
    }
  });
});
