/**
 * EmbeddingRequest ⇄ batchEmbedContents against the embeddings fixture.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { EmbeddingRequest } from "../../core/types.js";
import { fromBatchEmbedResponse, toBatchEmbedRequest } from "./embeddings.js";
import type { BatchEmbedContentsResponse } from "./wire-types.js";

interface EmbeddingFixture {
  request: EmbeddingRequest;
  wire: unknown;
  response: BatchEmbedContentsResponse;
  expected: unknown;
  expectedBase64: string[];
}

const f = JSON.parse(readFileSync(new URL("./fixtures/embeddings.json", import.meta.url), "utf8")) as EmbeddingFixture;

describe("embeddings", () => {
  it("maps the request and the response", () => {
    const { body, inputs } = toBatchEmbedRequest(f.request);
    expect(body).toEqual(f.wire);
    expect(fromBatchEmbedResponse(f.response, f.request, inputs, "g")).toEqual(f.expected);
  });

  it("encodes base64 as little-endian float32, like OpenAI", () => {
    const request = { ...f.request, encoding_format: "base64" as const };
    const { inputs } = toBatchEmbedRequest(request);
    const out = fromBatchEmbedResponse(f.response, request, inputs, "g");
    expect(out.data.map((d) => d.embedding)).toEqual(f.expectedBase64);
    const decoded = Buffer.from(f.expectedBase64[1] as string, "base64");
    expect([0, 1, 2].map((i) => decoded.readFloatLE(i * 4))).toEqual([0.25, -1, 0.125]);
  });

  it("a single string is one request; token arrays and empty lists are refused", () => {
    expect(toBatchEmbedRequest({ model: "models/text-embedding-004", input: "hi" }).body).toEqual({
      requests: [{ model: "models/text-embedding-004", content: { parts: [{ text: "hi" }] } }],
    });
    expect(() => toBatchEmbedRequest({ model: "m", input: [1, 2, 3] })).toThrow(expect.objectContaining({ code: "unsupported_operation", status: 400 }));
    expect(() => toBatchEmbedRequest({ model: "m", input: [] })).toThrow(expect.objectContaining({ code: "invalid_request" }));
  });

  it("a count mismatch is an upstream error", () => {
    expect(() => fromBatchEmbedResponse({ embeddings: [] }, f.request, ["a"], "g")).toThrow(expect.objectContaining({ code: "upstream_error" }));
  });
});
