/**
 * The per-minute window both gates use (the Redis script mirrors `fits`
 * and `roll` in Lua), and everything derived from it: retry-after, reset
 * times and OpenAI's x-ratelimit-* headers.
 *
 * Sliding window by two fixed minute windows, weighted (as the upstream
 * limiter in ../health does): the count for "the last minute" is
 *   previous · (1 − elapsed / 60 s) + current.
 * O(1) memory and one hash per subject in Redis. It never admits more than
 * the limit within one fixed minute, and within any sliding minute only
 * as many as the approximation allows (it assumes the previous minute's
 * requests were spread evenly). An exact log of timestamps would cost a
 * sorted-set entry per request and cannot sum tokens cheaply.
 */
import type { RateLimitHeaders } from "./limits.js";

export const WINDOW_MS = 60_000;

/** One subject's counts: requests and tokens in the current fixed window `w` and the one before it. */
export interface WindowState {
  w: number;
  r: number;
  t: number;
  pr: number;
  pt: number;
}

export function emptyWindow(idx: number): WindowState {
  return { w: idx, r: 0, t: 0, pr: 0, pt: 0 };
}

/**
 * Moves the state to window `idx`: the current window becomes the previous
 * one, or both clear after a gap. A state already past `idx` (the clock
 * stepped back, or a view taken on Redis's clock read a moment early) stays
 * as it is: forgetting counts because of a clock is what a limit must not do.
 * (The script's copy sees only Redis's own clock and keeps the plain rule.)
 */
export function roll(s: WindowState, idx: number): void {
  if (s.w >= idx) return;
  if (s.w === idx - 1) {
    s.pr = s.r;
    s.pt = s.t;
  } else {
    s.pr = 0;
    s.pt = 0;
  }
  s.r = 0;
  s.t = 0;
  s.w = idx;
}

/** The sliding count: `prev` weighted by how much of the previous minute is still inside the last 60 s. */
export function slidingCount(prev: number, cur: number, elapsedMs: number): number {
  return prev * (1 - elapsedMs / WINDOW_MS) + cur;
}

/** The admission test, written exactly as in the Lua script so both gates agree to the last bit. */
export function fits(prev: number, cur: number, elapsedMs: number, limit: number, need: number): boolean {
  return !(prev * (1 - elapsedMs / WINDOW_MS) + cur + need > limit);
}

/**
 * Milliseconds until `need` more fits under `limit`, if nothing else is
 * admitted meanwhile; Infinity when it never can (need > limit).
 */
export function waitMs(prev: number, cur: number, elapsedMs: number, limit: number, need: number): number {
  if (need > limit) return Infinity;
  if (fits(prev, cur, elapsedMs, limit, need)) return 0;
  if (cur + need <= limit) {
    // Only the previous window's share is in the way; it shrinks linearly until this window ends.
    const at = WINDOW_MS * (1 - (limit - cur - need) / prev);
    return Math.max(0, Math.ceil(at - elapsedMs));
  }
  // This window is full: wait for the next one, where this window's count is the decaying share.
  const at = WINDOW_MS * (1 - (limit - need) / cur);
  return Math.ceil(WINDOW_MS - elapsedMs + Math.max(0, at));
}

/** Milliseconds until the count is back to zero (nothing used), if nothing else is admitted. */
export function resetMs(prev: number, cur: number, elapsedMs: number): number {
  if (cur > 0) return WINDOW_MS - elapsedMs + WINDOW_MS;
  if (prev > 0) return WINDOW_MS - elapsedMs;
  return 0;
}

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

/**
 * Gives back `tokens` reserved in window `reservedIn` (the state already
 * rolled to now): from the current window if that is where they were
 * reserved, from the previous one if it was, not at all if older (they no
 * longer count anyway). Extra tokens (negative give-back) count now.
 */
export function settleTokens(s: WindowState, reservedIn: number, delta: number): void {
  if (delta > 0) {
    s.t += delta;
  } else if (delta < 0) {
    if (reservedIn === s.w) s.t = Math.max(0, s.t + delta);
    else if (reservedIn === s.w - 1) s.pt = Math.max(0, s.pt + delta);
  }
}
