/**
 * The client's cache controls, from request headers:
 * - `x-liaison-cache: bypass` or `Cache-Control: no-store`: neither read nor write;
 * - `x-liaison-cache: refresh` or `Cache-Control: no-cache`: skip the read, write the fresh answer;
 * - `Cache-Control: max-age=N`: accept a cached answer only if at most N seconds old;
 * - `x-liaison-cache-ttl: N`: keep this answer N seconds (instead of the model's TTL).
 * When several apply, the most restrictive wins.
 */
import { GatewayError } from "../core/errors.js";

export type CacheMode = "normal" | "refresh" | "bypass";

export interface CacheControl {
  mode: CacheMode;
  /** Whether the answer may be stored (false only for bypass). */
  write: boolean;
  /** From x-liaison-cache-ttl. */
  ttlMs?: number;
  /** From Cache-Control max-age. */
  maxAgeMs?: number;
}

type HeaderValue = string | string[] | undefined;

export interface CacheHeaders {
  "cache-control"?: HeaderValue;
  "x-liaison-cache"?: HeaderValue;
  "x-liaison-cache-ttl"?: HeaderValue;
  [name: string]: HeaderValue;
}

const MODES: readonly CacheMode[] = ["normal", "refresh", "bypass"];

const joined = (v: HeaderValue): string => (Array.isArray(v) ? v.join(",") : v ?? "");

function seconds(value: string, header: string): number {
  if (!/^\d+$/.test(value)) {
    throw new GatewayError("invalid_request", `${header} must be a whole number of seconds, got ${JSON.stringify(value)}.`, { param: header });
  }
  return Number(value) * 1000;
}

/** Throws GatewayError invalid_request (400) on a value it does not know: a typo must not silently change caching. */
export function cacheMode(headers: CacheHeaders): CacheControl {
  // Ranks, so that the strictest control seen wins whatever the order.
  let rank = 0;
  const stricter = (m: CacheMode) => {
    rank = Math.max(rank, MODES.indexOf(m));
  };
  let maxAgeMs: number | undefined;
  for (const raw of joined(headers["cache-control"]).split(",")) {
    const directive = raw.trim().toLowerCase();
    if (directive === "no-store") stricter("bypass");
    else if (directive === "no-cache") stricter("refresh");
    else if (directive.startsWith("max-age=")) {
      maxAgeMs = seconds(directive.slice("max-age=".length), "cache-control max-age");
      if (maxAgeMs === 0) stricter("refresh"); // nothing cached is fresh enough: same as no-cache
    }
    // Other directives (no-transform, only-if-cached, …) carry nothing for an API gateway's answer cache.
  }
  for (const raw of joined(headers["x-liaison-cache"]).split(",")) {
    const v = raw.trim().toLowerCase();
    if (v === "bypass") stricter("bypass");
    else if (v === "refresh") stricter("refresh");
    else if (v !== "") {
      throw new GatewayError("invalid_request", `x-liaison-cache must be bypass or refresh, got ${JSON.stringify(raw.trim())}.`, { param: "x-liaison-cache" });
    }
  }
  const ttl = joined(headers["x-liaison-cache-ttl"]).trim();
  const ttlMs = ttl === "" ? undefined : seconds(ttl, "x-liaison-cache-ttl");
  if (ttlMs === 0) throw new GatewayError("invalid_request", "x-liaison-cache-ttl must be at least 1 second (use x-liaison-cache: bypass to not store).", { param: "x-liaison-cache-ttl" });
  const mode = MODES[rank]!;
  return {
    mode,
    write: mode !== "bypass",
    ...(ttlMs !== undefined ? { ttlMs } : {}),
    ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
  };
}
