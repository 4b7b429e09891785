/**
 * Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`.
 * HTTP errors go through the shared upstreamStatusError (529 overloaded →
 * 503, retryable; 429 keeps Retry-After); an `error` event mid-stream becomes
 * a GatewayError here, chosen by the error's type since there is no status.
 */
import { GatewayError } from "../../core/errors.js";
import type { UpstreamHeaders } from "../_shared/http.js";
import { upstreamStatusError, type ParsedUpstreamError } from "../_shared/upstream-error.js";

export function parseAnthropicError(body: unknown): ParsedUpstreamError {
  if (typeof body !== "object" || body === null) return {};
  const err = (body as { error?: unknown }).error;
  if (typeof err === "object" && err !== null) {
    const e = err as { type?: unknown; message?: unknown };
    return {
      message: typeof e.message === "string" ? e.message : undefined,
      type: typeof e.type === "string" ? e.type : undefined,
      code: null,
      param: null,
    };
  }
  const m = (body as { message?: unknown }).message;
  return typeof m === "string" ? { message: m } : {};
}

/** A non-2xx answer → GatewayError, through the mapping every provider shares. */
export function anthropicStatusError(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  return upstreamStatusError(provider, status, headers, parseAnthropicError(body));
}

/** An in-stream `error` event → the error a retry policy and the client can act on. */
export function anthropicStreamError(provider: string, body: unknown): GatewayError {
  const { type, message } = parseAnthropicError(body);
  const text = `Provider '${provider}' reported an error mid-stream: ${message ?? "unknown error"}${type ? ` (${type})` : ""}`;
  switch (type) {
    case "overloaded_error":
      return new GatewayError("upstream_unavailable", text, { clientCode: type, retryable: true });
    case "rate_limit_error":
      return new GatewayError("rate_limited", text, { clientCode: type, retryable: true });
    case "timeout_error":
      return new GatewayError("upstream_timeout", text, { clientCode: type });
    default:
      return new GatewayError("upstream_error", text, { clientCode: type ?? "upstream_error" });
  }
}
