/**
 * Google's error body (google.rpc.Status over REST):
 *   {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[...]}}
 * `details` may hold an ErrorInfo (`reason`, e.g. API_KEY_INVALID) and a
 * RetryInfo (`retryDelay`, a Duration such as "7s" or "0.5s").
 */
import { GatewayError } from "../../core/errors.js";
import type { UpstreamHeaders } from "../_shared/http.js";
import { upstreamStatusError, type ParsedUpstreamError } from "../_shared/upstream-error.js";
import type { GoogleErrorBody, GoogleErrorDetail } from "./wire-types.js";

export interface ParsedGeminiError extends ParsedUpstreamError {
  /** google.rpc.Code name, e.g. "INVALID_ARGUMENT". */
  status?: string;
  /** The HTTP status the body itself reports. */
  httpCode?: number;
  /** ErrorInfo.reason, e.g. "API_KEY_INVALID". */
  reason?: string;
  /** RetryInfo.retryDelay in seconds. */
  retryDelaySeconds?: number;
}

const TYPE_SUFFIX = { errorInfo: "google.rpc.ErrorInfo", retryInfo: "google.rpc.RetryInfo" };

/** A protobuf Duration in JSON ("7s", "1.5s") → seconds. */
function durationSeconds(value: unknown): number | undefined {
  if (typeof value !== "string" || !value.endsWith("s")) return undefined;
  const seconds = Number(value.slice(0, -1));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function detailOf(details: GoogleErrorDetail[], suffix: string): GoogleErrorDetail | undefined {
  return details.find((d) => typeof d["@type"] === "string" && d["@type"].endsWith(suffix));
}

export function parseGeminiError(body: unknown): ParsedGeminiError {
  if (Array.isArray(body)) return parseGeminiError(body[0]); // streamGenerateContent without alt=sse wraps errors in an array
  if (typeof body !== "object" || body === null) return {};
  const err = (body as GoogleErrorBody).error;
  if (typeof err !== "object" || err === null) {
    const message = (body as { message?: unknown }).message;
    return typeof message === "string" ? { message } : {};
  }
  const details = Array.isArray(err.details) ? err.details.filter((d): d is GoogleErrorDetail => typeof d === "object" && d !== null) : [];
  const reason = detailOf(details, TYPE_SUFFIX.errorInfo)?.reason;
  const retryDelaySeconds = durationSeconds(detailOf(details, TYPE_SUFFIX.retryInfo)?.retryDelay);
  const status = typeof err.status === "string" ? err.status : undefined;
  const parsed: ParsedGeminiError = {
    message: typeof err.message === "string" ? err.message : undefined,
    code: typeof reason === "string" ? reason : status ?? null,
  };
  if (status !== undefined) parsed.status = status;
  if (typeof err.code === "number") parsed.httpCode = err.code;
  if (typeof reason === "string") parsed.reason = reason;
  if (retryDelaySeconds !== undefined) parsed.retryDelaySeconds = retryDelaySeconds;
  return parsed;
}

/**
 * A non-2xx answer → GatewayError. Google answers a bad API key with 400
 * INVALID_ARGUMENT / API_KEY_INVALID; clients are told 401 (authentication),
 * as every other provider says it. RetryInfo stands in for a missing
 * Retry-After header (Google rarely sends one).
 */
export function geminiStatusError(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  const parsed = parseGeminiError(body);
  const effectiveStatus = parsed.reason === "API_KEY_INVALID" ? 401 : status;
  const withRetry = headers["retry-after"] === undefined && parsed.retryDelaySeconds !== undefined
    ? { ...headers, "retry-after": String(Math.ceil(parsed.retryDelaySeconds)) }
    : headers;
  return upstreamStatusError(provider, effectiveStatus, withRetry, parsed);
}

/** An `{"error": ...}` object inside a stream (after a 200) → GatewayError, keeping retryability. */
export function geminiStreamError(provider: string, body: unknown): GatewayError {
  const parsed = parseGeminiError(body);
  const message = `Provider '${provider}' reported an error mid-stream: ${parsed.message ?? "unknown error"}`;
  const options = { clientCode: parsed.code ?? "upstream_error", retryAfter: parsed.retryDelaySeconds };
  if (parsed.httpCode === 429 || parsed.status === "RESOURCE_EXHAUSTED") return new GatewayError("rate_limited", message, options);
  if (parsed.httpCode === 503 || parsed.status === "UNAVAILABLE") return new GatewayError("upstream_unavailable", message, options);
  if (parsed.httpCode === 504 || parsed.status === "DEADLINE_EXCEEDED") return new GatewayError("upstream_timeout", message, options);
  return new GatewayError("upstream_error", message, options);
}
