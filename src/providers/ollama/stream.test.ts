/**
 * Recorded Ollama NDJSON streams → canonical chunks. Each recording is fed
 * whole, in 7-byte pieces and byte by byte, so lines (and a multi-byte
 * character) split across packets must come out the same.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ChatChunk, CompletionChunk, CompletionRequest } from "../../core/types.js";
import { CompletionStreamTranslator } from "./completions.js";
import { ChatStreamTranslator, translateNdjson, type NdjsonTranslator } from "./stream.js";

function fixtureText(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect<T>(bytes: Buffer, size: number, translator: NdjsonTranslator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of translateNdjson(pieces(bytes, size), translator, "local")) out.push(chunk);
  return out;
}

type AnyChunk = ChatChunk | CompletionChunk;

/** Checks the stream-wide invariants, then masks generated ids. */
function masked(chunks: AnyChunk[]): unknown[] {
  const ids = new Set(chunks.map((c) => c.id));
  expect(ids.size).toBe(1);
  expect([...ids][0]).toMatch(/^(chatcmpl|cmpl)-ollama_[0-9a-f]{24}$/);
  return chunks.map((chunk) => {
    const copy = structuredClone(chunk) as ChatChunk;
    copy.id = "<id>";
    for (const choice of copy.choices) {
      for (const call of choice.delta?.tool_calls ?? []) {
        expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
        call.id = "<call-id>";
      }
    }
    return copy;
  });
}

const SIZES = [Infinity, 7, 1];

describe("chat streams", () => {
  for (const name of ["chat-stream-text", "chat-stream-tool-calls", "chat-stream-thinking"]) {
    const expected = JSON.parse(fixtureText(`${name}.expected.json`)) as { ndjson: string; model: string; include_usage: boolean; chunks: unknown[] };
    const bytes = Buffer.from(fixtureText(expected.ndjson));
    for (const size of SIZES) {
      it(`${name}, ${size === Infinity ? "whole" : `${size}-byte pieces`}`, async () => {
        const chunks = await collect(bytes, size, new ChatStreamTranslator("local", expected.model, expected.include_usage));
        expect(masked(chunks)).toEqual(expected.chunks);
      });
    }
  }

  it("gives each streamed tool call a distinct id", async () => {
    const bytes = Buffer.from(fixtureText("chat-stream-tool-calls.ndjson"));
    const chunks = await collect(bytes, Infinity, new ChatStreamTranslator("local", "llama3.2", false));
    const ids = chunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta.tool_calls ?? [])).map((call) => call.id);
    expect(new Set(ids).size).toBe(2);
  });

  it("throws on an error line mid-stream, after the chunks before it", async () => {
    const bytes = Buffer.from(fixtureText("chat-stream-error.ndjson"));
    const seen: ChatChunk[] = [];
    const run = async () => {
      for await (const chunk of translateNdjson(pieces(bytes, 5), new ChatStreamTranslator("local", "gemma4", false), "local")) seen.push(chunk);
    };
    await expect(run()).rejects.toMatchObject({
      code: "upstream_error",
      status: 502,
      message: "Provider 'local' reported an error mid-stream: an error was encountered while running the model",
    });
    expect(seen.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(" Yes.");
  });

  it("fails a stream that ends without its done object as interrupted", async () => {
    const bytes = Buffer.from(fixtureText("chat-stream-truncated.ndjson"));
    await expect(collect(bytes, Infinity, new ChatStreamTranslator("local", "llama3.2", true))).rejects.toMatchObject({
      code: "stream_interrupted",
      message: expect.stringContaining("ended before the answer was complete"),
    });
  });

  it("fails a line that is not JSON as interrupted", async () => {
    const bytes = Buffer.from('{"model":"m","message":{"content":"a"},"done":false}\n{"model":"m","mess\n');
    await expect(collect(bytes, 3, new ChatStreamTranslator("local", "m", false))).rejects.toMatchObject({
      code: "stream_interrupted",
      message: expect.stringContaining("not valid JSON"),
    });
  });

  it("fails a line of the wrong shape as the upstream's fault", async () => {
    const bytes = Buffer.from('{"model":"m","message":{"content":["a"]},"done":false}\n');
    await expect(collect(bytes, Infinity, new ChatStreamTranslator("local", "m", false))).rejects.toMatchObject({ code: "upstream_error" });
  });

  it("accepts a final line without its newline", async () => {
    const bytes = Buffer.from('{"model":"m","message":{"content":"a"},"done":false}\n{"model":"m","message":{"content":""},"done":true,"done_reason":"stop"}');
    const chunks = await collect(bytes, 4, new ChatStreamTranslator("local", "m", false));
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("stops reading at the done object", async () => {
    const bytes = Buffer.from('{"message":{"content":"a"},"done":true}\n{"message":{"content":"late"},"done":false}\n');
    const chunks = await collect(bytes, Infinity, new ChatStreamTranslator("local", "m", false));
    expect(chunks.map((c) => c.choices[0]?.delta.content).filter(Boolean)).toEqual(["a"]);
  });
});

describe("generate streams (legacy completions)", () => {
  const expected = JSON.parse(fixtureText("generate-stream.expected.json")) as { ndjson: string; request: CompletionRequest; include_usage: boolean; chunks: unknown[] };
  const bytes = Buffer.from(fixtureText(expected.ndjson));
  for (const size of SIZES) {
    it(`generate-stream, ${size === Infinity ? "whole" : `${size}-byte pieces`}`, async () => {
      const chunks = await collect(bytes, size, new CompletionStreamTranslator("local", expected.request, expected.include_usage));
      expect(masked(chunks)).toEqual(expected.chunks);
    });
  }

  it("sends the prompt first when echo is on", async () => {
    const chunks = await collect(bytes, Infinity, new CompletionStreamTranslator("local", { model: "gemma4", prompt: "Q: ", echo: true }, false));
    expect(chunks.map((c) => c.choices[0]?.text ?? "").join("")).toBe("Q: That's");
  });
});
