/**
 * Ollama's errors (../shared/specs/ollama/api-errors.mdx): a JSON body
 * `{"error": "message"}` with a meaningful status before a response starts,
 * and the same object as one NDJSON line once a stream is under way (the
 * status is 200 by then).
 *
 * Mapping (through upstreamStatusError, so every provider reads alike):
 *   400 bad request (bad format, model lacks tools/thinking) → 400 invalid_request, Ollama's message
 *   401 / 403 (hosted ollama.com)                          → same status, Ollama's message
 *   404 `model "x" not found, try pulling it first`        → 404 model_not_found, Ollama's message
 *   429 (hosted)                                           → 429 rate_limited, Retry-After kept
 *   500 (the model failed), 502 (cloud model unreachable)  → 502 upstream_error, retryable
 *   503 (server busy: OLLAMA_MAX_QUEUE exceeded)           → 503 upstream_unavailable, retryable
 *   `{"error"}` line mid-stream                            → upstream_error (502) thrown from the stream
 */
import { GatewayError } from "../../core/errors.js";
import type { UpstreamHeaders } from "../_shared/http.js";
import { upstreamStatusError, type ParsedUpstreamError } from "../_shared/upstream-error.js";

/** Reads `{"error": "..."}`; `parseErrorBody` turns a non-JSON body (a proxy's page, "404 page not found") into `{message}`. */
export function parseOllamaError(status: number, body: unknown): ParsedUpstreamError {
  if (typeof body !== "object" || body === null) return {};
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error === "string") {
    // Only a JSON 404 from Ollama itself means "no such model"; a wrong base URL gives a plain-text 404.
    return { message: error, code: status === 404 ? "model_not_found" : null };
  }
  // Proxies in front of hosted Ollama may answer in OpenAI's shape.
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    return { message: (error as { message: string }).message };
  }
  return typeof message === "string" ? { message } : {};
}

/** A non-2xx answer → GatewayError, through the mapping every provider shares. */
export function ollamaStatusError(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  return upstreamStatusError(provider, status, headers, parseOllamaError(status, body));
}

/** The `error` text of a stream line that carries one, else undefined. */
export function streamErrorText(event: unknown): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const error = (event as { error?: unknown }).error;
  if (error === undefined || error === null) return undefined;
  return typeof error === "string" ? error : JSON.stringify(error);
}

export function midStreamError(provider: string, text: string): GatewayError {
  return new GatewayError("upstream_error", `Provider '${provider}' reported an error mid-stream: ${text}`);
}

/** A 200 whose body is Ollama's error object instead of an answer. */
export function answeredWithError(provider: string, text: string): GatewayError {
  return new GatewayError("upstream_error", `Provider '${provider}' answered with an error: ${text}`);
}

/** A canonical request Ollama's native API cannot express: 400, said before anything is sent. */
export function unsupported(message: string, param: string | null = null): GatewayError {
  return new GatewayError("invalid_request", message, { param, retryable: false });
}
