/** Stream ⇄ response conversions of a cached answer, and its stored form. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatChunk, ChatResponse } from "../../src/core/types.js";
import { answerFromChunks, answerFromResponse, decodeAnswer, encodeAnswer, isComplete, responseOf } from "../../src/cache/answer.js";
import { mergeChunks } from "../../src/cache/chunk-merge.js";
import { replayChunks } from "../../src/cache/replay.js";
import { response, toolStream } from "./helpers.js";

const meta = { provider: "openai", upstreamModel: "gpt-4o", costUsd: 0.01, createdAt: 5 };

const textOf = (chunks: ChatChunk[], index = 0) =>
  chunks.flatMap((c) => c.choices.filter((x) => x.index === index).map((x) => x.delta.content ?? "")).join("");

describe("answerFromChunks", () => {
  it("rebuilds the non-stream response: text, merged tool calls, finish reason, usage, fingerprint", () => {
    const a = answerFromChunks(toolStream(), meta);
    expect(a.response).toEqual({
      id: "chatcmpl-s1", object: "chat.completion", created: 1_700_000_001, model: "gpt-4o", system_fingerprint: "fp_s",
      choices: [{
        index: 0,
        message: {
          role: "assistant", content: "Let me check. 🌦️", refusal: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } },
            { id: "call_2", type: "function", function: { name: "time", arguments: "{}" } },
          ],
        },
        finish_reason: "tool_calls",
        logprobs: null,
      }],
      usage: { prompt_tokens: 30, completion_tokens: 20, total_tokens: 50 },
    });
    expect(a.chunks).toEqual(toolStream());
  });

  it("keeps n > 1 choices apart and merges logprobs in order", () => {
    const base = { id: "c", object: "chat.completion.chunk" as const, created: 1, model: "m" };
    const lp = (t: string) => ({ content: [{ token: t, logprob: -0.1, bytes: null, top_logprobs: [] }] });
    const chunks: ChatChunk[] = [
      { ...base, choices: [{ index: 1, delta: { role: "assistant", content: "B" }, finish_reason: null, logprobs: lp("B") }] },
      { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "A" }, finish_reason: null, logprobs: lp("A") }] },
      { ...base, choices: [{ index: 0, delta: { content: "a" }, finish_reason: "stop", logprobs: lp("a") }, { index: 1, delta: { content: "b" }, finish_reason: "length", logprobs: lp("b") }] },
    ];
    const r = mergeChunks(chunks);
    expect(r.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([[0, "Aa", "stop"], [1, "Bb", "length"]]);
    expect((r.choices[0]!.logprobs as { content: { token: string }[] }).content.map((t) => t.token)).toEqual(["A", "a"]);
  });

  it("detaches the entry from the chunks the engine keeps using", () => {
    const chunks = toolStream();
    const a = answerFromChunks(chunks, meta);
    chunks[1]!.choices[0]!.delta.content = "changed";
    expect(a.response.choices[0]!.message.content).toBe("Let me check. 🌦️");
  });
});

describe("replayChunks", () => {
  it("replays a streamed answer as the same chunks under a new id and time", () => {
    const replay = replayChunks(answerFromChunks(toolStream(), meta), { id: "chatcmpl-new", created: 42 });
    expect(replay).toEqual(toolStream().map((c) => ({ ...c, id: "chatcmpl-new", created: 42 })));
  });

  it("gives each replay a fresh id and the current time by default", () => {
    const a = answerFromChunks(toolStream(), meta);
    const [x, y] = [replayChunks(a), replayChunks(a)];
    expect(x[0]!.id).not.toBe(y[0]!.id);
    expect(new Set(x.map((c) => c.id)).size).toBe(1);
    expect(Math.abs(x[0]!.created - Date.now() / 1000)).toBeLessThan(5);
    expect(responseOf(a).id).not.toBe(a.response.id);
  });

  it("leaves usage out when the client did not ask for it", () => {
    const replay = replayChunks(answerFromChunks(toolStream(), meta), { includeUsage: false });
    expect(replay.length).toBe(toolStream().length - 1);
    expect(replay.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it("synthesizes a stream from a non-stream answer that folds back into the same response", () => {
    const original: ChatResponse = response("x".repeat(150) + " — done ✅", {
      choices: [
        { index: 0, message: { role: "assistant", content: "y".repeat(150) + " — done ✅", refusal: null }, finish_reason: "stop", logprobs: null },
        {
          index: 1,
          message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_9", type: "function", function: { name: "f", arguments: JSON.stringify({ q: "z".repeat(100) }) } }] },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
    });
    const chunks = replayChunks(answerFromResponse(original, meta), { id: original.id, created: original.created });
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.filter((c) => c.choices[0]?.index === 0 && c.choices[0].delta.content).length).toBeGreaterThan(2); // in pieces
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: original.usage });
    expect(textOf(chunks)).toBe(original.choices[0]!.message.content);
    expect(mergeChunks(chunks)).toEqual(original);
  });

  it("round-trips any text, tool calls and usage (property)", () => {
    const call = fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), name: fc.string({ minLength: 1, maxLength: 8 }), args: fc.string({ maxLength: 300 }) });
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: "grapheme" }), fc.array(call, { maxLength: 3 }), fc.integer({ min: 1, max: 100 }), (text, calls, piece) => {
      const original = response(text, {
        choices: [{
          index: 0,
          message: {
            role: "assistant", content: calls.length && !text ? null : text, refusal: null,
            ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.args } })) } : {}),
          },
          finish_reason: calls.length ? "tool_calls" : "stop",
          logprobs: null,
        }],
      });
      const chunks = replayChunks(answerFromResponse(original, meta), { id: original.id, created: original.created, pieceLength: piece });
      expect(mergeChunks(chunks)).toEqual(original);
    }), { numRuns: 200 });
  });
});

describe("stored form", () => {
  it("round-trips a streamed answer, storing the repeated chunk fields once", () => {
    const a = answerFromChunks(toolStream(), meta);
    const text = encodeAnswer(a);
    expect(decodeAnswer(text)).toEqual(a);
    expect(text.length).toBeLessThan(JSON.stringify(a).length * 0.8);
  });

  it("keeps a chunk's model when it differs from the response's", () => {
    const chunks = toolStream().map((c, i) => (i === 2 ? { ...c, model: "gpt-4o-mini" } : c));
    expect(decodeAnswer(encodeAnswer(answerFromChunks(chunks, meta)))!.chunks![2]!.model).toBe("gpt-4o-mini");
  });

  it("reads anything that is not a whole entry as nothing", () => {
    const good = JSON.parse(encodeAnswer(answerFromResponse(response("hi"), meta))) as Record<string, unknown>;
    for (const bad of ["", "not json", "null", "[]", "{}", JSON.stringify({ ...good, v: 2 }), JSON.stringify({ ...good, response: { id: 1 } }),
      JSON.stringify({ ...good, chunks: "x" }), JSON.stringify({ ...good, costUsd: "1" })]) {
      expect(decodeAnswer(bad)).toBeUndefined();
    }
    expect(decodeAnswer(JSON.stringify(good))).toEqual(answerFromResponse(response("hi"), meta));
  });

  it("knows an unfinished answer from a whole one", () => {
    expect(isComplete(answerFromChunks(toolStream(), meta))).toBe(true);
    expect(isComplete(answerFromChunks(toolStream().slice(0, 5), meta))).toBe(false);
  });
});
