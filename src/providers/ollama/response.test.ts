/**
 * Ollama answers → canonical responses, against the recorded fixtures.
 * Generated ids are random, so they are checked for shape and masked.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CompletionRequest, EmbeddingRequest } from "../../core/types.js";
import { fromOllamaGenerateResponse, parseGenerateResponse } from "./completions.js";
import { float32Base64, fromOllamaEmbedResponse } from "./embeddings.js";
import { fromOllamaChatResponse, parseChatResponse, parseWire } from "./response.js";
import { ollamaEmbedResponseSchema } from "./wire.js";

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

interface Masked { id: string; choices: { message?: { tool_calls?: { id: string }[] } }[] }

/** Masks generated ids after checking they look like OpenAI's. */
function masked<T extends Masked>(response: T): T {
  expect(response.id).toMatch(/^(chatcmpl|cmpl)-ollama_[0-9a-f]{24}$/);
  const copy = structuredClone(response);
  copy.id = "<id>";
  for (const choice of copy.choices) {
    for (const call of choice.message?.tool_calls ?? []) {
      if (/^call_[0-9a-f]{24}$/.test(call.id)) call.id = "<call-id>";
    }
  }
  return copy;
}

describe("chat response", () => {
  for (const c of fixture<{ name: string; request_model: string; wire: unknown; canonical: unknown }[]>("chat-response.json")) {
    it(c.name, () => {
      expect(masked(fromOllamaChatResponse(parseChatResponse(c.wire, "local"), c.request_model))).toEqual(c.canonical);
    });
  }

  it("gives every tool call its own id", () => {
    const wire = { message: { content: "", tool_calls: [{ function: { name: "a", arguments: {} } }, { function: { name: "a", arguments: {} } }] }, done: true };
    const [first, second] = fromOllamaChatResponse(parseChatResponse(wire, "local"), "m").choices[0]!.message.tool_calls!;
    expect(first!.id).not.toBe(second!.id);
  });

  it("falls back to the requested model and the current time", () => {
    const res = fromOllamaChatResponse(parseChatResponse({ message: { content: "x" }, done: true }, "local"), "llama3.2");
    expect(res.model).toBe("llama3.2");
    expect(Math.abs(res.created - Date.now() / 1000)).toBeLessThan(5);
    expect(res.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it("fails as the upstream's fault on a body it cannot read", () => {
    expect(() => parseChatResponse({ message: { content: 42 } }, "local")).toThrow(
      expect.objectContaining({ code: "upstream_error", message: expect.stringContaining("message.content") }),
    );
  });
});

describe("generate response (legacy completions)", () => {
  const { response } = fixture<{ response: { request: CompletionRequest; wire: unknown; canonical: unknown } }>("generate.json");
  it("maps text, echo, finish reason and usage", () => {
    const res = fromOllamaGenerateResponse(parseGenerateResponse(response.wire, "local"), response.request);
    expect(masked(res as unknown as Masked)).toEqual(response.canonical);
  });
});

describe("embed response", () => {
  const { response } = fixture<{ response: { wire: unknown; float: unknown } }>("embed.json");
  const wire = parseWire(ollamaEmbedResponseSchema, response.wire, "local", "an embed response");

  it("keeps float vectors and counts the prompt tokens", () => {
    expect(fromOllamaEmbedResponse(wire, { model: "all-minilm", input: ["a", "b"] })).toEqual(response.float);
  });

  it("encodes base64 as little-endian float32, like OpenAI", () => {
    const request: EmbeddingRequest = { model: "all-minilm", input: ["a", "b"], encoding_format: "base64" };
    const res = fromOllamaEmbedResponse(wire, request);
    const encoded = res.data[0]!.embedding as string;
    const bytes = Buffer.from(encoded, "base64");
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(wire.embeddings[0]!.map((v) => Math.fround(v)));
    expect(encoded).toBe(float32Base64(wire.embeddings[0]!));
    expect(float32Base64([1])).toBe("AACAPw==");
  });
});
