import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk } from "../../core/types.js";
import { SSEDecoder } from "../_shared/sse.js";
import { AnthropicStreamTranslator, parseAnthropicEvent, type TranslatorOptions } from "./stream.js";

const dir = new URL("./fixtures/", import.meta.url);

/** Feeds a recorded stream in `size`-byte pieces (splitting events and multi-byte characters) and collects the chunks. */
function translate(file: string, options: Partial<TranslatorOptions> = {}, size = 5): { chunks: ChatChunk[]; done: boolean } {
  const bytes = readFileSync(new URL(file, dir));
  const decoder = new SSEDecoder();
  const translator = new AnthropicStreamTranslator({ provider: "anthropic", includeUsage: true, ...options });
  const chunks: ChatChunk[] = [];
  const feed = (events: ReturnType<SSEDecoder["push"]>) => {
    for (const ev of events) {
      const event = parseAnthropicEvent(ev, "anthropic");
      if (event) chunks.push(...translator.push(event));
    }
  };
  for (let i = 0; i < bytes.length; i += size) feed(decoder.push(bytes.subarray(i, i + size)));
  feed(decoder.end());
  return { chunks: chunks.map((c) => ({ ...c, created: 0 })), done: translator.done };
}

const expected = (name: string): unknown => JSON.parse(readFileSync(new URL(`stream-${name}.expected.json`, dir), "utf8"));

describe("Anthropic stream → canonical chunks (fixtures)", () => {
  it.each(["text", "tools", "thinking"])("stream-%s.sse", (name) => {
    for (const size of [1, 5, 64, 1 << 20]) {
      const { chunks, done } = translate(`stream-${name}.sse`, {}, size);
      expect(done).toBe(true);
      expect(chunks).toEqual(expected(name));
    }
  });

  it("sends no usage chunk without include_usage", () => {
    const { chunks } = translate("stream-text.sse", { includeUsage: false });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it("rebuilds the tool calls the way the openai SDK does", () => {
    const calls: { id?: string; name: string; arguments: string }[] = [];
    for (const chunk of translate("stream-tools.sse").chunks) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[tc.index] ??= { name: "", arguments: "" });
        if (tc.id) call.id = tc.id;
        call.name += tc.function?.name ?? "";
        call.arguments += tc.function?.arguments ?? "";
      }
    }
    expect(calls.map((c) => ({ ...c, arguments: JSON.parse(c.arguments) as unknown }))).toEqual([
      { id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: { location: "San Francisco, CA" } },
      { id: "toolu_01NoArgs", name: "get_time", arguments: {} },
    ]);
  });

  it("turns a forced json_schema tool's input into content", () => {
    const { chunks } = translate("stream-tools.sse", { jsonTool: "get_weather" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe('Okay, let\'s check the weather.{"location": "San Francisco, CA"}');
    // get_time is still a real call, so the finish reason stays tool_calls.
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("throws a retryable upstream_unavailable on an overloaded_error event", () => {
    let error: unknown;
    try {
      translate("stream-overloaded.sse");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true, clientCode: "overloaded_error" });
  });

  it("reports a stream without message_stop as not done", () => {
    const { chunks, done } = translate("stream-truncated.sse");
    expect(done).toBe(false);
    expect(chunks.map((c) => c.choices[0]?.delta.content)).toEqual(["", "Cut sh"]);
  });

  it("rejects events that are not JSON or break their schema, and ignores unknown event types", () => {
    const ev = (data: string, event?: string) => ({ event, data, id: undefined });
    expect(() => parseAnthropicEvent(ev("{nope"), "a")).toThrow(/not valid JSON/);
    expect(() => parseAnthropicEvent(ev('{"type":"content_block_delta","delta":{}}'), "a")).toThrow(/malformed 'content_block_delta'/);
    expect(parseAnthropicEvent(ev('{"type":"future_event","x":1}'), "a")).toBeUndefined();
    expect(parseAnthropicEvent(ev(""), "a")).toBeUndefined();
  });
});
