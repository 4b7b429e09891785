/**
 * Canonical EmbeddingRequest ⇄ batchEmbedContents.
 *
 * Gemini reports no token usage for embeddings, so prompt_tokens is an
 * estimate: ceil(characters / 4) per input, the usual rule of thumb for
 * English text. Token-array inputs cannot be sent (Gemini takes text only).
 */
import { GatewayError } from "../../core/errors.js";
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/types.js";
import type { BatchEmbedContentsRequest, BatchEmbedContentsResponse } from "./wire-types.js";

function inputsOf(input: EmbeddingRequest["input"]): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((item): item is string => typeof item === "string")) {
    if (input.length === 0) throw new GatewayError("invalid_request", "input must not be empty.", { param: "input" });
    return input;
  }
  throw new GatewayError("unsupported_operation", "Gemini embeddings take text input only (a string or an array of strings), not token arrays.", { param: "input" });
}

export function toBatchEmbedRequest(request: EmbeddingRequest): { body: BatchEmbedContentsRequest; inputs: string[] } {
  const inputs = inputsOf(request.input);
  const model = request.model.startsWith("models/") ? request.model : `models/${request.model}`;
  const dimensions = typeof request.dimensions === "number" ? request.dimensions : undefined;
  const body: BatchEmbedContentsRequest = {
    requests: inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(dimensions !== undefined ? { outputDimensionality: dimensions } : {}),
    })),
  };
  return { body, inputs };
}

/** Little-endian float32 bytes in base64, as OpenAI encodes `encoding_format: "base64"`. */
function toBase64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString("base64");
}

export function estimateTokens(inputs: readonly string[]): number {
  return inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
}

export function fromBatchEmbedResponse(
  body: BatchEmbedContentsResponse,
  request: EmbeddingRequest,
  inputs: readonly string[],
  provider: string,
): EmbeddingResponse {
  const embeddings = body.embeddings ?? [];
  if (embeddings.length !== inputs.length) {
    throw new GatewayError("upstream_error", `Provider '${provider}' returned ${embeddings.length} embeddings for ${inputs.length} inputs.`);
  }
  const base64 = request.encoding_format === "base64";
  const tokens = estimateTokens(inputs);
  return {
    object: "list",
    data: embeddings.map((e, index) => {
      const values = e.values ?? [];
      return { object: "embedding", index, embedding: base64 ? toBase64(values) : values };
    }),
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
