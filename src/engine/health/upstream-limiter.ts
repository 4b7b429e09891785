/**
 * Upstream limits (rpm / tpm) a target declares, so the router skips a
 * target at its limit instead of earning 429s from it.
 *
 * Sliding window by two fixed minute windows, weighted: the count for "the
 * last minute" is previous · (1 − elapsed/60 s) + current. O(1) time and
 * memory per target, no per-second buckets to sum, and never more than the
 * limit within one fixed window. A reservation takes one request and the
 * estimated tokens, both or neither; settle() corrects the tokens later.
 *
 * Redis failures fail open, to a per-instance limiter: upstream limits are a
 * courtesy to the provider (it enforces its own and answers 429), so a Redis
 * outage must not become a gateway outage. This instance's own count can
 * only be lower than the shared one, so it never refuses what Redis would
 * have allowed; it starts empty, so it is more permissive.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { LuaScript } from "../../core/redis-script.js";
import { RedisOutage } from "../shared-state/redis-outage.js";
import { WINDOW_MS, roll, type WindowState } from "../shared-state/sliding-window.js";
import type { UpstreamLimiter } from "./types.js";

export type UpstreamLimits = { rpm?: number; tpm?: number };

/** Off the request path: a settle may wait longer than an acquire. */
const SETTLE_TIMEOUT_MS = 1_000;

/** The same two-fixed-window state as key and team limits use (shared-state/sliding-window.ts). */
type Windows = WindowState;

function wholeTokens(tokens: number): number {
  return Number.isFinite(tokens) && tokens > 0 ? Math.ceil(tokens) : 0;
}

function hasLimits(limits: UpstreamLimits): boolean {
  return (limits.rpm ?? 0) > 0 || (limits.tpm ?? 0) > 0;
}

export interface MemoryLimiterSettings {
  now?: () => number;
  /** Targets idle for two minutes are forgotten beyond this many. Default 10,000. */
  maxKeys?: number;
}

export class MemoryUpstreamLimiter implements UpstreamLimiter {
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #windows = new Map<string, Windows>();

  constructor(settings: MemoryLimiterSettings = {}) {
    this.#now = settings.now ?? Date.now;
    this.#maxKeys = settings.maxKeys ?? 10_000;
  }

  async tryAcquire(key: string, limits: UpstreamLimits, tokens: number): Promise<boolean> {
    return this.acquire(key, limits, tokens);
  }

  /** tryAcquire without the promise. */
  acquire(key: string, limits: UpstreamLimits, tokens: number): boolean {
    if (!hasLimits(limits)) return true;
    const now = this.#now();
    const idx = Math.floor(now / WINDOW_MS);
    const s = this.#windows.get(key) ?? this.#create(key, idx);
    roll(s, idx);
    const weight = 1 - (now - idx * WINDOW_MS) / WINDOW_MS;
    const n = wholeTokens(tokens);
    if (limits.rpm && s.pr * weight + s.r + 1 > limits.rpm) return false;
    if (limits.tpm && s.pt * weight + s.t + n > limits.tpm) return false;
    s.r += 1;
    s.t += n;
    return true;
  }

  settle(key: string, reservedTokens: number, actualTokens: number): void {
    const s = this.#windows.get(key);
    if (!s) return;
    roll(s, Math.floor(this.#now() / WINDOW_MS));
    const delta = wholeTokens(actualTokens) - wholeTokens(reservedTokens);
    if (delta > 0) {
      s.t += delta;
    } else if (delta < 0) {
      // The reservation may have been made in the previous window: give back from this one first.
      const fromCurrent = Math.min(s.t, -delta);
      s.t -= fromCurrent;
      s.pt = Math.max(0, s.pt - (-delta - fromCurrent));
    }
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  #create(key: string, idx: number): Windows {
    if (this.#windows.size >= this.#maxKeys) {
      for (const [k, s] of this.#windows) if (s.w < idx - 1) this.#windows.delete(k);
    }
    const s: Windows = { w: idx, r: 0, t: 0, pr: 0, pt: 0 };
    this.#windows.set(key, s);
    return s;
  }
}

// KEYS[1] = `<prefix>ul:<target>`, a hash { w, r, t, pr, pt } as in Windows above; time is the Redis server's.
const WINDOWS_LUA = `
local h = KEYS[1]
local W = ${WINDOW_MS}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local idx = math.floor(now / W)
local s = redis.call('HMGET', h, 'w', 'r', 't', 'pr', 'pt')
local w = tonumber(s[1])
local r, t, pr, pt = tonumber(s[2]) or 0, tonumber(s[3]) or 0, tonumber(s[4]) or 0, tonumber(s[5]) or 0
if w ~= idx then
  if w == idx - 1 then pr, pt = r, t else pr, pt = 0, 0 end
  r, t = 0, 0
end
local function save()
  redis.call('HSET', h, 'w', idx, 'r', r, 't', t, 'pr', pr, 'pt', pt)
  redis.call('PEXPIRE', h, 2 * W)
end
`;

/**
 * Reserves one request and ARGV[3] tokens if neither limit would be passed.
 * ARGV: rpm (0 = none), tpm (0 = none), tokens. Returns 1 (reserved) or 0.
 */
const ACQUIRE = new LuaScript(`${WINDOWS_LUA}
local rpm, tpm, tokens = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local weight = 1 - (now - idx * W) / W
if rpm > 0 and pr * weight + r + 1 > rpm then return 0 end
if tpm > 0 and pt * weight + t + tokens > tpm then return 0 end
r, t = r + 1, t + tokens
save()
return 1
`);

/** Adds ARGV[1] tokens (negative: gives back, from this window first, then the previous one). */
const SETTLE = new LuaScript(`${WINDOWS_LUA}
local delta = tonumber(ARGV[1])
if not w then return 0 end
if delta > 0 then
  t = t + delta
else
  local fromCurrent = math.min(t, -delta)
  t = t - fromCurrent
  pt = math.max(0, pt - (-delta - fromCurrent))
end
save()
return 1
`);

export interface RedisLimiterSettings {
  /** A connected (or connecting) client; the caller owns it. */
  redis: Redis;
  /** Prepended verbatim to every key, e.g. `liaison:`. */
  prefix: string;
  /** Redis failed: limits are now counted by this instance alone. */
  onError?: (err: unknown) => void;
  onRecover?: () => void;
  /** Longest tryAcquire waits for Redis before failing open. Default 250 ms. */
  timeoutMs?: number;
  now?: () => number;
}

export class RedisUpstreamLimiter implements UpstreamLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #outage: RedisOutage;
  readonly #local: MemoryUpstreamLimiter;
  /** Targets with limits: only their reservations need settling. */
  readonly #limited = new Set<string>();
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  constructor(settings: RedisLimiterSettings) {
    this.#redis = settings.redis;
    this.#prefix = settings.prefix;
    this.#timeoutMs = settings.timeoutMs ?? 250;
    this.#outage = new RedisOutage({ onError: settings.onError, onRecover: settings.onRecover, now: settings.now });
    this.#local = new MemoryUpstreamLimiter({ now: settings.now });
    settings.redis.on("error", this.#onRedisError);
  }

  async tryAcquire(key: string, limits: UpstreamLimits, tokens: number): Promise<boolean> {
    if (!hasLimits(limits)) return true;
    this.#limited.add(key);
    const reply = await this.#call(ACQUIRE, key, [limits.rpm ?? 0, limits.tpm ?? 0, wholeTokens(tokens)], this.#timeoutMs);
    if (reply === undefined) return this.#local.acquire(key, limits, tokens);
    return reply === 1;
  }

  settle(key: string, reservedTokens: number, actualTokens: number): void {
    if (!this.#limited.has(key)) return;
    const delta = wholeTokens(actualTokens) - wholeTokens(reservedTokens);
    if (delta === 0) return;
    this.#local.settle(key, reservedTokens, actualTokens);
    const p = this.#call(SETTLE, key, [delta], SETTLE_TIMEOUT_MS);
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let corrections already sent land, but do not wait long for a Redis that is not answering.
    await Promise.race([Promise.allSettled([...this.#pending]), sleep(1_000, undefined, { ref: false })]);
    this.#closed = true;
    this.#redis.off("error", this.#onRedisError);
    await this.#local.close();
  }

  /** Connection errors are outage news; commands are not sent while disconnected. */
  readonly #onRedisError = (err: unknown): void => {
    if (!this.#closed) this.#outage.failed(err);
  };

  /** The script's reply, or undefined when Redis could not answer (in time). Never rejects. */
  async #call(script: LuaScript, key: string, args: number[], timeoutMs: number): Promise<number | undefined> {
    if (this.#closed) return undefined;
    const status = this.#redis.status;
    if (status !== "ready") {
      // Not sent at all: with an offline queue, a command would wait for the reconnection.
      if (status !== "wait" && status !== "connecting" && status !== "connect") {
        this.#outage.failed(new Error(`Redis connection is ${status}; upstream limits are counted by this instance alone`));
      }
      return undefined;
    }
    if (!this.#outage.shouldTry()) return undefined;
    try {
      const reply = await script.run(this.#redis, [`${this.#prefix}ul:${key}`], args, timeoutMs);
      if (typeof reply !== "number") throw new Error(`unexpected limiter script reply: ${JSON.stringify(reply)}`);
      this.#outage.succeeded();
      return reply;
    } catch (err) {
      if (!this.#closed) this.#outage.failed(err);
      return undefined;
    }
  }
}
