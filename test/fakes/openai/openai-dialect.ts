/**
 * api.openai.com's flavour of the wire format: its headers, its error bodies
 * and the `obfuscation` padding it adds to stream chunks.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { bodyObject } from "../_shared/fake-request.js";
import { openaiErrorBody, openaiErrors } from "./openai-errors.js";
import type { ChatChunk } from "./openai-wire-types.js";
import { jsonReply } from "../_shared/reply.js";
import type { WireAnnotations, WireDialect } from "../_shared/wire-dialect.js";

const PADDING_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * OpenAI pads each chunk with random characters so chunk sizes do not leak
 * token lengths. The fake pads deterministically (same chunk, same padding)
 * to keep recorded streams stable.
 */
function obfuscation(chunk: ChatChunk): string {
  const text = chunk.choices.map((c) => c.delta.content ?? "").join("");
  const length = Math.max(1, 12 - (text.length % 12));
  let out = "";
  for (let i = 0; i < length; i++) out += PADDING_ALPHABET[(text.length * 7 + i * 13) % PADDING_ALPHABET.length];
  return out;
}

const annotations: WireAnnotations = {
  chatChunk(chunk, request) {
    const options = request.stream_options;
    const optedOut =
      typeof options === "object" && options !== null && (options as Record<string, unknown>).include_obfuscation === false;
    if (!optedOut) chunk.obfuscation = obfuscation(chunk);
  },
};

export const openaiDialect: WireDialect = {
  responseHeaders(sequence: number, processingMs: number): OutgoingHttpHeaders {
    return {
      "x-request-id": `req_${sequence.toString(16).padStart(32, "0")}`,
      "openai-processing-ms": String(processingMs),
      "openai-version": "2020-10-01",
      "x-ratelimit-limit-requests": "10000",
      "x-ratelimit-remaining-requests": "9999",
      "x-ratelimit-reset-requests": "6ms",
      "x-ratelimit-limit-tokens": "30000000",
      "x-ratelimit-remaining-tokens": "29999000",
      "x-ratelimit-reset-tokens": "2ms",
    };
  },
  statusErrorBody: (status) => openaiErrors.statusBody(status),
  rateLimited(retryAfterSeconds, request) {
    const model = bodyObject(request)?.model;
    return openaiErrors.rateLimited(retryAfterSeconds, typeof model === "string" ? model : undefined);
  },
  badRequest: (message) => jsonReply(400, openaiErrorBody(message)),
  internalError: (message) => jsonReply(500, openaiErrorBody(message, "server_error")),
  annotations,
};
