/**
 * Retry policy as data and small pure functions (the undici habit): which
 * errors are worth another attempt, how long to wait, which ones say
 * something about the target's health.
 */
import type { GatewayError } from "../core/errors.js";
import type { Config } from "../config/schema.js";

export type RetryConfig = Config["routing"]["retry"];

/**
 * Full-jitter exponential backoff: random(0, min(max, base · 2^(n-1))).
 * An upstream's Retry-After wins when it is within the cap; beyond the cap
 * the answer is undefined: do not wait here, the target is not coming back soon.
 */
export function backoffMs(retry: RetryConfig, attempt: number, retryAfterSeconds: number | undefined, random = Math.random): number | undefined {
  if (retryAfterSeconds !== undefined) {
    const ms = retryAfterSeconds * 1000;
    return ms <= retry.max_retry_after_ms ? ms : undefined;
  }
  const ceiling = Math.min(retry.max_delay_ms, retry.base_delay_ms * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Failures that count against a target's circuit: it is down, slow or refusing load — not the client's error. */
export function countsAgainstTarget(e: GatewayError): boolean {
  if (e.code === "client_closed") return false;
  return e.status === 429 || e.status >= 500 || e.code === "upstream_timeout" || e.code === "upstream_unreachable" || e.code === "stream_interrupted";
}

const CONTEXT_CODES = new Set(["context_length_exceeded", "string_above_max_length", "request_too_large"]);
const CONTEXT_TEXT = /context (length|window)|maximum context|too many tokens|prompt is too long|input is too long|exceeds the maximum number of tokens|reduce the length/i;

export function isContextWindowError(e: GatewayError): boolean {
  if (e.status !== 400 && e.status !== 413 && e.status !== 422) return false;
  return CONTEXT_CODES.has(e.clientCode ?? "") || CONTEXT_TEXT.test(e.message);
}

const POLICY_CODES = new Set(["content_policy_violation", "content_filter", "content_filtered", "responsible_ai_policy_violation"]);
const POLICY_TEXT = /content (management )?polic|content filter|flagged by|safety (system|filter)/i;

export function isContentPolicyError(e: GatewayError): boolean {
  if (e.code === "content_refused") return true;
  if (e.status !== 400 && e.status !== 403 && e.status !== 422) return false;
  return POLICY_CODES.has(e.clientCode ?? "") || POLICY_TEXT.test(e.message);
}
