/**
 * Canonical → Ollama request mapping, against the recorded fixtures: what
 * is sent (chat, generate, embed) and what is refused before sending.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from "../../core/types.js";
import { toOllamaGenerateRequest } from "./completions.js";
import { toOllamaEmbedRequest } from "./embeddings.js";
import { toOllamaChatRequest, type OllamaDefaults } from "./request.js";

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

interface MappingCase<R> { name: string; defaults: OllamaDefaults; stream?: boolean; request: R; wire: unknown }
interface RefusedCase<R> { name: string; request: R; param: string; message?: string }

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected the request to be refused");
}

describe("chat request", () => {
  for (const c of fixture<MappingCase<ChatRequest>[]>("chat-request.json")) {
    it(c.name, () => {
      expect(toOllamaChatRequest(c.request, c.defaults, c.stream ?? false)).toEqual(c.wire);
    });
  }

  for (const c of fixture<RefusedCase<ChatRequest>[]>("chat-request-refused.json")) {
    it(`refuses ${c.name}`, () => {
      const err = refusal(() => toOllamaChatRequest(c.request, {}, false));
      expect(err.code).toBe("invalid_request");
      expect(err.status).toBe(400);
      expect(err.retryable).toBe(false);
      expect(err.param).toBe(c.param);
      expect(err.message).toContain(c.message);
    });
  }

  it("does not change the canonical request", () => {
    const [first] = fixture<MappingCase<ChatRequest>[]>("chat-request.json");
    const before = JSON.stringify(first!.request);
    toOllamaChatRequest(first!.request, first!.defaults, true);
    expect(JSON.stringify(first!.request)).toBe(before);
  });

  it("says why an image URL cannot be sent", () => {
    const err = refusal(() => toOllamaChatRequest({
      model: "llava",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://example.com/a.png" } }] }],
    }, {}, false));
    expect(err.message).toMatch(/base64/);
    expect(err.message).toMatch(/cannot fetch image URLs/);
  });
});

describe("generate request (legacy completions)", () => {
  const file = fixture<{ requests: MappingCase<CompletionRequest>[]; refused: RefusedCase<CompletionRequest>[] }>("generate.json");
  for (const c of file.requests) {
    it(c.name, () => {
      expect(toOllamaGenerateRequest(c.request, c.defaults, c.stream ?? false)).toEqual(c.wire);
    });
  }
  for (const c of file.refused) {
    it(`refuses ${c.name}`, () => {
      const err = refusal(() => toOllamaGenerateRequest(c.request, {}, false));
      expect([err.code, err.status, err.param]).toEqual(["invalid_request", 400, c.param]);
    });
  }
});

describe("embed request", () => {
  const file = fixture<{ requests: MappingCase<EmbeddingRequest>[]; refused: RefusedCase<EmbeddingRequest>[] }>("embed.json");
  for (const c of file.requests) {
    it(c.name, () => {
      expect(toOllamaEmbedRequest(c.request, c.defaults)).toEqual(c.wire);
    });
  }
  for (const c of file.refused) {
    it(`refuses ${c.name}`, () => {
      const err = refusal(() => toOllamaEmbedRequest(c.request, {}));
      expect([err.code, err.status, err.param]).toEqual(["invalid_request", 400, c.param]);
    });
  }
});
