/**
 * Limits shared by every instance through Redis: one ADMIT script per
 * request (check and reserve on all subjects at once), one RELEASE script
 * when it ends, and a RENEW every leaseMs / 3 for the parallel slots still
 * held (see quota-scripts.ts for the keys and why slots are leases).
 *
 * When Redis cannot be reached the policy decides:
 *   open (default)  admit, counted by this instance (a MemoryQuotaGate):
 *                   no client gets errors because a cache-like dependency
 *                   is down. It counts on from the last shared window each
 *                   subject showed in a reply (not from zero, which let N
 *                   instances admit N × the limit on top of what was already
 *                   used), adds the parallel slots of its own requests still
 *                   running, and enforces `degradedShare` of each limit: with
 *                   share 1/N the N instances together stay within the limit.
 *                   What it admits on its own is never written to Redis:
 *                   once Redis answers, its counts alone decide again.
 *   closed          refuse with `limit: "unavailable"` (answer 503): for
 *                   deployments where a limit is a contract (resale, hard
 *                   cost caps) and an outage must not lift it.
 * Either way the outage is reported through onError once (then every 10 s
 * at most), and its end through onRecover.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { LuaScript } from "../../core/redis-script.js";
import { RedisOutage } from "../shared-state/redis-outage.js";
import { WINDOW_MS, waitMs } from "../shared-state/sliding-window.js";
import {
  distinctById, limitOf, wholeTokens,
  type Admission, type QuotaGate, type QuotaSubject, type RedisFailurePolicy, type Refused,
} from "./limits.js";
import { LastSharedCounts } from "./last-shared-counts.js";
import { MemoryQuotaGate } from "./memory-quota-gate.js";
import { rateLimitHeaders, retryAfterSeconds, type WindowView } from "./rate-limit-headers.js";
import { ADMIT, KIND_CODES, RELEASE, RENEW } from "./quota-scripts.js";

export interface RedisQuotaGateSettings {
  /** A connected (or connecting) client; the caller owns it. */
  redis: Redis;
  /** Prepended verbatim to every key, e.g. `liaison:`. */
  prefix: string;
  /** What to do when Redis cannot be reached. Default `open` (see above). */
  fail?: RedisFailurePolicy;
  /** How long a parallel slot outlives its last renewal. Default 60 s. */
  leaseMs?: number;
  /** Longest admit() waits for Redis before the failure policy applies. Default 250 ms. */
  timeoutMs?: number;
  onError?: (err: unknown) => void;
  onRecover?: () => void;
  /**
   * While Redis is unreachable under `open`, the share of each limit (rpm,
   * tpm, parallel) this instance admits, counting from the last shared counts
   * it saw: floor(limit × share), at least 1. Default 1.
   */
  degradedShare?: number;
  /** Subjects whose last shared counts are remembered for an outage. Default 100,000. */
  maxRemembered?: number;
  now?: () => number;
}

/** Off the request path: releases and renewals may wait longer than an admission. */
const BACKGROUND_TIMEOUT_MS = 1_000;
const RENEW_BATCH = 500;
/** Redis's clock is learned afresh only when it moved this far from what was assumed (not on every reply's jitter). */
const CLOCK_SLACK_MS = 1_000;

interface Limits { rpm: number | undefined; tpm: number | undefined; parallel: number | undefined }

export class RedisQuotaGate implements QuotaGate {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #fail: RedisFailurePolicy;
  readonly #leaseMs: number;
  readonly #timeoutMs: number;
  readonly #outage: RedisOutage;
  readonly #local: MemoryQuotaGate;
  readonly #now: () => number;
  /** Redis's clock minus this instance's: the fallback counts in Redis's minute windows, where the shared views were taken. */
  #clockOffset = 0;
  readonly #lastShared: LastSharedCounts;
  /** Parallel slots held in Redis by this instance's requests still running, per subject: they count during an outage. */
  readonly #ownSlots = new Map<string, number>();
  /** Leases this instance holds: member → slot set keys. */
  readonly #held = new Map<string, string[]>();
  readonly #pending = new Set<Promise<unknown>>();
  #renewTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(settings: RedisQuotaGateSettings) {
    this.#redis = settings.redis;
    this.#prefix = settings.prefix;
    this.#fail = settings.fail ?? "open";
    this.#leaseMs = Math.max(3_000, settings.leaseMs ?? 60_000);
    this.#timeoutMs = settings.timeoutMs ?? 250;
    this.#outage = new RedisOutage({ onError: settings.onError, onRecover: settings.onRecover, now: settings.now });
    this.#now = settings.now ?? Date.now;
    this.#lastShared = new LastSharedCounts(settings.maxRemembered);
    this.#local = new MemoryQuotaGate({
      now: () => this.#now() + this.#clockOffset,
      share: settings.degradedShare,
      baseline: (id, idx) => ({ window: this.#lastShared.at(id, idx), inFlight: this.#ownSlots.get(id) }),
    });
    settings.redis.on("error", this.#onRedisError);
  }

  /** True while Redis is considered unreachable (for metrics and /ready). */
  get degraded(): boolean {
    return this.#outage.down;
  }

  async admit(all: readonly QuotaSubject[], estimatedTokens: number): Promise<Admission> {
    const subjects = distinctById(all);
    const limits: Limits[] = subjects.map((s) => ({ rpm: limitOf(s.limits.rpm), tpm: limitOf(s.limits.tpm), parallel: limitOf(s.limits.maxParallel) }));
    const tokens = wholeTokens(estimatedTokens);
    if (limits.every((l) => l.rpm === undefined && l.tpm === undefined && l.parallel === undefined)) {
      return { ok: true, headers: {}, release: () => {} };
    }
    const member = randomUUID();
    const keys: string[] = [];
    const args: (string | number)[] = [tokens, this.#leaseMs, member, subjects.length];
    subjects.forEach((s, i) => {
      keys.push(this.#rateKey(s.id), this.#slotKey(s.id));
      const l = limits[i]!;
      args.push(l.rpm ?? 0, l.tpm ?? 0, l.parallel ?? 0);
    });

    const sentAt = this.#now();
    const reply = await this.#call(ADMIT, keys, args, this.#timeoutMs);
    if (reply === undefined || reply.length !== 5 + subjects.length * 5) return this.#unavailable(subjects, tokens);
    const [admitted, idx, elapsedMs, refusedAt, kind] = reply as [number, number, number, number, number];
    this.#learnClock(idx * WINDOW_MS + elapsedMs, (sentAt + this.#now()) / 2);
    const views: WindowView[] = [];
    limits.forEach((l, i) => {
      const [r, t, pr, pt] = reply.slice(5 + i * 5, 9 + i * 5) as [number, number, number, number];
      if (l.rpm === undefined && l.tpm === undefined) return;
      const s = { w: idx, r, t, pr, pt };
      views.push({ rpm: l.rpm, tpm: l.tpm, s, elapsedMs });
      // Refusals too: the counts as found are as shared as any.
      this.#lastShared.remember(subjects[i]!.id, s);
    });
    const headers = rateLimitHeaders(views);

    if (admitted !== 1) {
      const i = refusedAt - 1;
      const l = limits[i]!;
      const [r, t, pr, pt] = reply.slice(5 + i * 5, 9 + i * 5) as [number, number, number, number];
      const limit = KIND_CODES[kind as keyof typeof KIND_CODES];
      const refused: Refused = { ok: false, subject: subjects[i]!.id, limit, limitValue: 0, requested: 1, retryAfterSeconds: 1, headers };
      if (limit === "rpm") Object.assign(refused, { limitValue: l.rpm, retryAfterSeconds: retryAfterSeconds(waitMs(pr, r, elapsedMs, l.rpm!, 1)) });
      else if (limit === "tpm") Object.assign(refused, { limitValue: l.tpm, requested: tokens, retryAfterSeconds: retryAfterSeconds(waitMs(pt, t, elapsedMs, l.tpm!, tokens)) });
      else refused.limitValue = l.parallel!;
      return refused;
    }

    const slotSubjects = subjects.filter((_, i) => limits[i]!.parallel !== undefined).map((s) => s.id);
    const slotKeys = slotSubjects.map((id) => this.#slotKey(id));
    if (slotKeys.length) {
      this.#hold(member, slotKeys);
      for (const id of slotSubjects) this.#ownSlots.set(id, (this.#ownSlots.get(id) ?? 0) + 1);
    }
    let released = false;
    return {
      ok: true,
      headers,
      release: (actualTokens: number) => {
        if (released) return;
        released = true;
        this.#held.delete(member);
        for (const id of slotSubjects) {
          const n = (this.#ownSlots.get(id) ?? 0) - 1;
          if (n > 0) this.#ownSlots.set(id, n);
          else this.#ownSlots.delete(id);
        }
        const delta = wholeTokens(actualTokens) - tokens;
        if (delta === 0 && slotKeys.length === 0) return;
        const releaseArgs: (string | number)[] = [idx, delta, member, subjects.length];
        for (const l of limits) releaseArgs.push(l.rpm !== undefined || l.tpm !== undefined ? 1 : 0, l.parallel !== undefined ? 1 : 0);
        this.#background(RELEASE, keys, releaseArgs);
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#renewTimer);
    // Let releases already sent land, but do not wait long for a Redis that is not answering.
    await Promise.race([Promise.allSettled([...this.#pending]), sleep(1_000, undefined, { ref: false })]);
    this.#closed = true;
    this.#redis.off("error", this.#onRedisError);
    await this.#local.close();
    this.#lastShared.clear();
    this.#ownSlots.clear();
  }

  /**
   * Keeps the fallback's clock on Redis's minute windows. Steps only when the
   * clocks moved apart by more than the slack: a clock that wobbled by a
   * round trip must not move the fallback's window back and forth.
   */
  #learnClock(redisNowMs: number, localNowMs: number): void {
    const offset = redisNowMs - localNowMs;
    if (Number.isFinite(offset) && Math.abs(offset - this.#clockOffset) > CLOCK_SLACK_MS) this.#clockOffset = Math.round(offset);
  }

  #rateKey(subject: string): string {
    return `${this.#prefix}q:r:${subject}`;
  }

  #slotKey(subject: string): string {
    return `${this.#prefix}q:p:${subject}`;
  }

  #unavailable(subjects: readonly QuotaSubject[], tokens: number): Admission {
    if (this.#fail === "open") return this.#local.admitNow(subjects, tokens);
    return { ok: false, subject: null, limit: "unavailable", limitValue: 0, requested: 0, retryAfterSeconds: 5, headers: {} };
  }

  #hold(member: string, slotKeys: string[]): void {
    this.#held.set(member, slotKeys);
    if (this.#renewTimer) return;
    this.#renewTimer = setInterval(() => this.#renew(), Math.floor(this.#leaseMs / 3));
    this.#renewTimer.unref();
  }

  #renew(): void {
    if (this.#held.size === 0) return;
    let keys: string[] = [];
    let members: string[] = [];
    const flush = () => {
      this.#background(RENEW, keys, [this.#leaseMs, ...members]);
      keys = [];
      members = [];
    };
    for (const [member, slotKeys] of this.#held) {
      for (const k of slotKeys) {
        keys.push(k);
        members.push(member);
      }
      if (keys.length >= RENEW_BATCH) flush();
    }
    if (keys.length) flush();
  }

  #background(script: LuaScript, keys: string[], args: (string | number)[]): void {
    const p = this.#call(script, keys, args, BACKGROUND_TIMEOUT_MS);
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Connection errors are outage news; commands are not sent while disconnected. */
  readonly #onRedisError = (err: unknown): void => {
    if (!this.#closed) this.#outage.failed(err);
  };

  /** The script's reply (an array of integers), or undefined when Redis could not answer (in time). Never rejects. */
  async #call(script: LuaScript, keys: string[], args: (string | number)[], timeoutMs: number): Promise<number[] | undefined> {
    if (this.#closed) return undefined;
    const status = this.#redis.status;
    if (status !== "ready") {
      // Not sent at all: with an offline queue, a command would wait for the reconnection.
      if (status !== "wait" && status !== "connecting" && status !== "connect") {
        this.#outage.failed(new Error(`Redis connection is ${status}; limits follow the '${this.#fail}' failure policy`));
      }
      return undefined;
    }
    if (!this.#outage.shouldTry()) return undefined;
    try {
      const raw = await script.run(this.#redis, keys, args, timeoutMs);
      const reply = typeof raw === "number" ? [raw] : raw;
      if (!Array.isArray(reply) || !reply.every((n) => typeof n === "number")) {
        throw new Error(`unexpected quota script reply: ${JSON.stringify(raw)}`);
      }
      this.#outage.succeeded();
      return reply as number[];
    } catch (err) {
      if (!this.#closed) this.#outage.failed(err);
      return undefined;
    }
  }
}
