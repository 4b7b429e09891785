/**
 * Embeddings: canonical request ↔ `POST /api/embed` (api.md "Generate
 * Embeddings", capabilities-embeddings.mdx). Ollama takes text only (a
 * string or a list of strings) and returns plain float lists; base64 output
 * is produced here, as OpenAI encodes it (little-endian float32).
 */
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/types.js";
import { unsupported } from "./errors.js";
import { keepAlive, type OllamaDefaults } from "./request.js";
import type { OllamaEmbedRequest, OllamaEmbedResponse } from "./wire.js";

function textInput(input: EmbeddingRequest["input"]): string | string[] {
  if (typeof input === "string") return input;
  if (Array.isArray(input) && input.every((item): item is string => typeof item === "string")) return input;
  throw unsupported("Ollama's /api/embed takes text only (a string or an array of strings), not token ids.", "input");
}

export function toOllamaEmbedRequest(request: EmbeddingRequest, defaults: OllamaDefaults): OllamaEmbedRequest {
  const wire: OllamaEmbedRequest = { model: request.model, input: textInput(request.input) };
  if (typeof request.truncate === "boolean") wire.truncate = request.truncate;
  if (request.dimensions !== undefined) wire.dimensions = request.dimensions;
  // Only the config's defaults and a client's own `options`: OpenAI's embedding parameters have no option equivalent.
  const options = { ...defaults.options, ...(typeof request.options === "object" && request.options !== null ? request.options : {}) };
  if (Object.keys(options).length > 0) wire.options = options;
  const alive = keepAlive(request, defaults);
  if (alive !== undefined) wire.keep_alive = alive;
  return wire;
}

/** OpenAI's `encoding_format: "base64"`: the vector's little-endian float32 bytes. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] as number, i * 4);
  return bytes.toString("base64");
}

export function fromOllamaEmbedResponse(wire: OllamaEmbedResponse, request: EmbeddingRequest): EmbeddingResponse {
  const base64 = request.encoding_format === "base64";
  // prompt_eval_count covers every input together; Ollama reports no per-input split.
  const tokens = wire.prompt_eval_count ?? 0;
  return {
    object: "list",
    data: wire.embeddings.map((vector, index) => ({
      object: "embedding" as const,
      index,
      embedding: base64 ? float32Base64(vector) : vector,
    })),
    model: wire.model || request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
