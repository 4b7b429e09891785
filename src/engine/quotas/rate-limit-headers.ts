/**
 * What a caller is told about its rate limits: the Retry-After of a refusal
 * and OpenAI's x-ratelimit-* headers, derived from the sliding window
 * (../shared-state/sliding-window.ts) that both quota gates count in.
 */
import { resetMs, slidingCount, type WindowState } from "../shared-state/sliding-window.js";
import type { RateLimitHeaders } from "./limits.js";

/** A refusal's retry-after in whole seconds: at least 1, and 60 for "never" (the caller says why). */
export function retryAfterSeconds(ms: number): number {
  if (!Number.isFinite(ms)) return 60;
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * A duration as OpenAI writes its reset headers (Go's time.Duration format):
 * `20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`, and `0s` for nothing.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const secMs = total % 60_000;
  const sec = secMs % 1000 === 0 ? String(secMs / 1000) : (secMs / 1000).toFixed(3).replace(/0+$/, "");
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

/** One subject's window as the headers see it. */
export interface WindowView {
  rpm: number | undefined;
  tpm: number | undefined;
  s: WindowState;
  elapsedMs: number;
}

/**
 * OpenAI's x-ratelimit-* headers for the tightest subjects: the request trio
 * from the subject with the fewest requests left, the token trio from the
 * one with the fewest tokens left.
 */
export function rateLimitHeaders(views: readonly WindowView[]): RateLimitHeaders {
  const headers: RateLimitHeaders = {};
  let bestRequests = Infinity;
  let bestTokens = Infinity;
  for (const v of views) {
    if (v.rpm !== undefined) {
      const remaining = Math.max(0, Math.floor(v.rpm - slidingCount(v.s.pr, v.s.r, v.elapsedMs)));
      if (remaining < bestRequests) {
        bestRequests = remaining;
        headers["x-ratelimit-limit-requests"] = String(v.rpm);
        headers["x-ratelimit-remaining-requests"] = String(remaining);
        headers["x-ratelimit-reset-requests"] = formatDuration(resetMs(v.s.pr, v.s.r, v.elapsedMs));
      }
    }
    if (v.tpm !== undefined) {
      const remaining = Math.max(0, Math.floor(v.tpm - slidingCount(v.s.pt, v.s.t, v.elapsedMs)));
      if (remaining < bestTokens) {
        bestTokens = remaining;
        headers["x-ratelimit-limit-tokens"] = String(v.tpm);
        headers["x-ratelimit-remaining-tokens"] = String(remaining);
        headers["x-ratelimit-reset-tokens"] = formatDuration(resetMs(v.s.pt, v.s.t, v.elapsedMs));
      }
    }
  }
  return headers;
}
