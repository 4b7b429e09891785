/**
 * Turns a non-2xx upstream answer into a GatewayError that keeps what a client
 * and a retry policy need: upstream 4xx keep their status and message; 5xx
 * become 502/503/504; Retry-After is carried along.
 */
import { GatewayError } from "../../core/errors.js";
import { retryAfterSeconds, type UpstreamHeaders } from "./http.js";

export interface ParsedUpstreamError {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
}

export function upstreamStatusError(
  provider: string,
  status: number,
  headers: UpstreamHeaders,
  parsed: ParsedUpstreamError,
): GatewayError {
  const message = parsed.message?.trim() || `status ${status}`;
  const retryAfter = retryAfterSeconds(headers);
  const common = { retryAfter, param: parsed.param ?? null };
  if (status >= 400 && status < 500) {
    // Client errors pass through as the client's own mistake: same status, upstream's words.
    return new GatewayError(status === 429 ? "rate_limited" : status === 404 ? "model_not_found" : "invalid_request", message, {
      ...common,
      status,
      type: parsed.type ?? (status === 429 ? "rate_limit_error" : status === 401 ? "authentication_error" : status === 403 ? "permission_error" : "invalid_request_error"),
      clientCode: parsed.code ?? null,
    });
  }
  const text = `Provider '${provider}' failed with status ${status}: ${message}`;
  if (status === 503 || status === 529) return new GatewayError("upstream_unavailable", text, common);
  if (status === 504) return new GatewayError("upstream_timeout", text, common);
  return new GatewayError("upstream_error", text, common);
}

/** Best-effort JSON parse of an error body; a non-JSON body becomes the message. */
export function parseErrorBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 500) };
  }
}
