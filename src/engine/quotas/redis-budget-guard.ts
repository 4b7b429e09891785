/**
 * Budgets shared by every instance through Redis. One hash per subject and
 * period, `<prefix>b:<subject>:<period>:<period start ms>`:
 *   s   spent (USD, HINCRBYFLOAT)     r   reserved by requests in flight
 *   ra  when r last grew (ms, Redis clock)
 * RESERVE checks every subject and reserves on all or none, in one script,
 * so two instances cannot both spend the last dollar; SETTLE swaps a
 * reservation for the actual cost. Hashes expire a day after their period
 * ends (late settles still land); `total` never expires.
 *
 * A reservation whose request never settles (its instance crashed) would
 * hold budget for good; instead `r` is dropped once no reservation was made
 * for `staleReservationMs` (default 15 min, longer than any request), so a
 * leak lasts until the subject is idle for that long.
 *
 * A hash Redis does not have (first use, eviction, restart) starts from the
 * spend this instance knows: the spend store's rows loaded at start, then
 * every total Redis reported since.
 *
 * Redis unreachable: `open` (default) checks against this instance's own
 * view (the last shared totals plus its own spend) and keeps the spend it
 * could not write to add it on the next successful settle; `closed`
 * refuses with `reason: "unavailable"`. Reported once per outage.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { LuaScript } from "../../core/redis-script.js";
import { RedisOutage } from "../shared-state/redis-outage.js";
import {
  ALLOWED_FREE, MemoryBudgetGuard, budgeted, emitSpend, ledgerKey, refusal, usd,
  type BudgetCheck, type BudgetGuard, type BudgetGuardSettings, type BudgetSubject, type Budgeted, type SpendEvent,
} from "./budgets.js";
import type { RedisFailurePolicy } from "./limits.js";

const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function expire(h, ttl)
  if ttl > 0 then redis.call('PEXPIRE', h, ttl) end
end
`;

/**
 * KEYS: one hash per subject. ARGV: estimate, staleReservationMs, n, then per subject budget, seed, ttlMs (0 = never expires).
 * Reply: { admitted (1|0), refusing subject (1-based, 0 if admitted), then per subject spent (string) }.
 * The test is overBudget() in budgets.ts.
 */
const RESERVE = new LuaScript(`${NOW}
local est, stale, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local spent, reserved = {}, {}
local refusedAt = 0
for i = 1, n do
  local base = 3 + (i - 1) * 3
  local v = redis.call('HMGET', KEYS[i], 's', 'r', 'ra')
  local s, r = tonumber(v[1]), tonumber(v[2]) or 0
  if s == nil then s = tonumber(ARGV[base + 2]) end
  if r > 0 and now - (tonumber(v[3]) or 0) > stale then r = 0 end
  spent[i], reserved[i] = s, r
  local budget = tonumber(ARGV[base + 1])
  if refusedAt == 0 and (s >= budget or s + r + est > budget) then refusedAt = i end
end
local reply = { refusedAt == 0 and 1 or 0, refusedAt }
for i = 1, n do
  local base = 3 + (i - 1) * 3
  if refusedAt == 0 then
    if redis.call('HEXISTS', KEYS[i], 's') == 0 then redis.call('HSET', KEYS[i], 's', ARGV[base + 2]) end
    if reserved[i] == 0 then redis.call('HSET', KEYS[i], 'r', 0) end
    redis.call('HINCRBYFLOAT', KEYS[i], 'r', ARGV[1])
    redis.call('HSET', KEYS[i], 'ra', now)
    expire(KEYS[i], tonumber(ARGV[base + 3]))
  end
  reply[#reply + 1] = tostring(spent[i])
end
return reply
`);

/**
 * KEYS: one hash per subject. ARGV: reserved estimate (0 = none), n, then per subject add, seed, ttlMs.
 * Reply: per subject the spend after it (string).
 */
const SETTLE = new LuaScript(`${NOW}
local reserved, n = tonumber(ARGV[1]), tonumber(ARGV[2])
local reply = {}
for i = 1, n do
  local base = 2 + (i - 1) * 3
  local h = KEYS[i]
  if redis.call('HEXISTS', h, 's') == 1 then
    if reserved > 0 and tonumber(redis.call('HINCRBYFLOAT', h, 'r', -reserved)) < 0 then redis.call('HSET', h, 'r', 0) end
  else
    redis.call('HSET', h, 's', ARGV[base + 2], 'r', 0)
    expire(h, tonumber(ARGV[base + 3]))
  end
  reply[i] = redis.call('HINCRBYFLOAT', h, 's', ARGV[base + 1])
end
return reply
`);

const DAY_MS = 86_400_000;
const BACKGROUND_TIMEOUT_MS = 1_000;

export interface RedisBudgetGuardSettings extends BudgetGuardSettings {
  redis: Redis;
  prefix: string;
  fail?: RedisFailurePolicy;
  /** Longest check() waits for Redis before the failure policy applies. Default 250 ms. */
  timeoutMs?: number;
  staleReservationMs?: number;
  onError?: (err: unknown) => void;
  onRecover?: () => void;
}

interface Known { spent: number; endMs: number | null }

export class RedisBudgetGuard implements BudgetGuard {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #fail: RedisFailurePolicy;
  readonly #timeoutMs: number;
  readonly #staleMs: number;
  readonly #now: () => number;
  readonly #onSpend: ((e: SpendEvent) => void) | undefined;
  readonly #outage: RedisOutage;
  readonly #local: MemoryBudgetGuard;
  /** The latest spend this instance knows per ledger key: seeds hashes Redis lost, and the fail-open view. */
  readonly #known = new Map<string, Known>();
  /** Spend not yet written to Redis (it was down), per ledger key. */
  readonly #unsynced = new Map<string, number>();
  readonly #pending = new Set<Promise<unknown>>();
  #nextPrune = 0;
  #closed = false;

  constructor(settings: RedisBudgetGuardSettings) {
    this.#redis = settings.redis;
    this.#prefix = settings.prefix;
    this.#fail = settings.fail ?? "open";
    this.#timeoutMs = settings.timeoutMs ?? 250;
    this.#staleMs = settings.staleReservationMs ?? 15 * 60_000;
    this.#now = settings.now ?? Date.now;
    this.#onSpend = settings.onSpend;
    this.#outage = new RedisOutage({ onError: settings.onError, onRecover: settings.onRecover, now: settings.now });
    this.#local = new MemoryBudgetGuard({ now: settings.now });
    for (const row of settings.baseline ?? []) this.#learn(ledgerKey(row.subject, row.period, row.period_start), row.usd, null);
    settings.redis.on("error", this.#onRedisError);
  }

  get degraded(): boolean {
    return this.#outage.down;
  }

  async check(subjects: readonly BudgetSubject[], estimatedUsd: number): Promise<BudgetCheck> {
    const now = this.#now();
    const list = budgeted(subjects, now);
    if (list.length === 0) return ALLOWED_FREE;
    this.#prune(now);
    const estimate = usd(estimatedUsd);
    const args: (string | number)[] = [estimate, this.#staleMs, list.length];
    for (const b of list) args.push(b.budgetUsd, this.#seed(b), this.#ttl(b));
    const reply = await this.#call(RESERVE, list.map((b) => this.#hashKey(b)), args, this.#timeoutMs);

    if (reply === undefined) {
      if (this.#fail === "closed") {
        return { ok: false, reason: "unavailable", subject: null, spentUsd: 0, budgetUsd: 0, period: null, resetsAt: null };
      }
      this.#local.seed(list.map((b) => ({ subject: b.id, period: b.window.period, period_start: b.window.start, usd: this.#seed(b) })));
      const local = this.#local.checkNow(subjects, estimate);
      if (!local.ok) return local;
      return this.#allowed(list, estimate, 0, local.settle);
    }

    const spent = reply.slice(2).map(Number);
    list.forEach((b, i) => this.#learn(b.key, spent[i]!, b.window.endMs));
    if (reply[0] !== 1) {
      const i = Number(reply[1]) - 1;
      return refusal(list[i]!, spent[i]!);
    }
    return this.#allowed(list, estimate, estimate, undefined);
  }

  record(subjects: readonly BudgetSubject[], actualUsd: number): void {
    const list = budgeted(subjects, this.#now());
    if (list.length) this.#settle(list, 0, usd(actualUsd));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.race([Promise.allSettled([...this.#pending]), sleep(1_000, undefined, { ref: false })]);
    this.#closed = true;
    this.#redis.off("error", this.#onRedisError);
    await this.#local.close();
  }

  #allowed(list: Budgeted[], estimate: number, reservedInRedis: number, localSettle: ((usd: number) => void) | undefined): BudgetCheck {
    let settled = false;
    return {
      ok: true,
      settle: (actualUsd: number) => {
        if (settled) return;
        settled = true;
        localSettle?.(actualUsd);
        this.#settle(list, reservedInRedis, usd(actualUsd));
      },
    };
  }

  /** Writes spend to Redis in the background; what cannot be written waits for the next settle of the same period. */
  #settle(list: Budgeted[], reserved: number, actual: number): void {
    const adds = list.map((b) => {
      const add = actual + (this.#unsynced.get(b.key) ?? 0);
      this.#unsynced.delete(b.key);
      return add;
    });
    const args: (string | number)[] = [reserved, list.length];
    // A hash Redis lost starts from the known spend, which already counts the unsynced part of the add.
    list.forEach((b, i) => args.push(adds[i]!, Math.max(0, this.#seed(b) - (adds[i]! - actual)), this.#ttl(b)));
    const p = this.#call(SETTLE, list.map((b) => this.#hashKey(b)), args, BACKGROUND_TIMEOUT_MS).then((reply) => {
      list.forEach((b, i) => {
        let spent: number;
        if (reply === undefined) {
          // Known spend already includes what was unsynced before: only this request's cost is new to it.
          this.#unsynced.set(b.key, (this.#unsynced.get(b.key) ?? 0) + adds[i]!);
          spent = this.#seed(b) + actual;
          this.#learn(b.key, spent, b.window.endMs);
        } else {
          spent = Number(reply[i]);
          this.#learn(b.key, spent, b.window.endMs);
        }
        emitSpend(this.#onSpend, b, actual, spent);
      });
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  #hashKey(b: Budgeted): string {
    return `${this.#prefix}b:${b.id}:${b.window.period}:${b.window.startMs}`;
  }

  /**
   * A day past the period's end, as a TTL rather than an instant: the period
   * is this instance's (its clock decides which period a request is in),
   * the expiry only has to outlive it.
   */
  #ttl(b: Budgeted): number {
    return b.window.endMs === null ? 0 : Math.max(1_000, b.window.endMs + DAY_MS - this.#now());
  }

  #seed(b: Budgeted): number {
    return this.#known.get(b.key)?.spent ?? 0;
  }

  #learn(key: string, spent: number, endMs: number | null): void {
    if (!Number.isFinite(spent)) return;
    const k = this.#known.get(key);
    if (k) k.spent = spent;
    else this.#known.set(key, { spent, endMs });
  }

  #prune(now: number): void {
    if (now < this.#nextPrune) return;
    this.#nextPrune = now + 60_000;
    for (const [k, v] of this.#known) if (v.endMs !== null && v.endMs + DAY_MS < now && !this.#unsynced.has(k)) this.#known.delete(k);
  }

  readonly #onRedisError = (err: unknown): void => {
    if (!this.#closed) this.#outage.failed(err);
  };

  /** The script's reply, or undefined when Redis could not answer (in time). Never rejects. */
  async #call(script: LuaScript, keys: string[], args: (string | number)[], timeoutMs: number): Promise<(string | number)[] | undefined> {
    if (this.#closed) return undefined;
    const status = this.#redis.status;
    if (status !== "ready") {
      if (status !== "wait" && status !== "connecting" && status !== "connect") {
        this.#outage.failed(new Error(`Redis connection is ${status}; budgets follow the '${this.#fail}' failure policy`));
      }
      return undefined;
    }
    if (!this.#outage.shouldTry()) return undefined;
    try {
      const reply = await script.run(this.#redis, keys, args, timeoutMs);
      if (!Array.isArray(reply)) throw new Error(`unexpected budget script reply: ${JSON.stringify(reply)}`);
      this.#outage.succeeded();
      return reply as (string | number)[];
    } catch (err) {
      if (!this.#closed) this.#outage.failed(err);
      return undefined;
    }
  }
}
