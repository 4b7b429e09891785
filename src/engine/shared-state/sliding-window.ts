/**
 * The per-minute sliding window that rate limits count in: key and team
 * limits (../quotas, whose Redis script mirrors `fits` and `roll` in Lua)
 * and the upstream limits targets declare (../health, whose script keeps
 * the same five fields). Here, not in either, so neither imports the other.
 *
 * Sliding window by two fixed minute windows, weighted: the count for "the
 * last minute" is
 *   previous · (1 − elapsed / 60 s) + current.
 * O(1) memory and one hash per subject in Redis. It never admits more than
 * the limit within one fixed minute, and within any sliding minute only
 * as many as the approximation allows (it assumes the previous minute's
 * requests were spread evenly). An exact log of timestamps would cost a
 * sorted-set entry per request and cannot sum tokens cheaply.
 */
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
