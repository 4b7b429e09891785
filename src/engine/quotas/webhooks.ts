/**
 * Budget threshold alerts: when a subject's spend in a
 * period reaches 50, 80 or 100 % (configurable) of its budget, one signed
 * JSON POST to a configured URL, once per subject, period and threshold —
 * across all instances when the dedup goes through Redis (SET NX), per
 * instance otherwise. At most once: a claimed alert whose delivery fails
 * (after the retries) is reported through onError, not re-sent later.
 *
 * Signing. The body is JSON with a unique `id` and a `timestamp` (Unix
 * seconds). `x-liaison-signature: sha256=<hex>` is HMAC-SHA256 over the raw
 * body bytes with the configured secret; `x-liaison-timestamp` repeats the
 * timestamp. Because the timestamp is inside the signed body, a receiver
 * that (1) verifies the HMAC over the raw body in constant time, (2) rejects
 * a timestamp more than 5 minutes away from its clock, and (3) remembers
 * ids for those 5 minutes, cannot be replayed. Retries re-send the same
 * bytes (same id and timestamp). See verifyWebhookSignature.
 *
 * Everything here runs off the request path and never throws into it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { SpendEvent } from "./budgets.js";

export const DEFAULT_THRESHOLDS_PERCENT: readonly number[] = [50, 80, 100];
export const SIGNATURE_HEADER = "x-liaison-signature";
export const TIMESTAMP_HEADER = "x-liaison-timestamp";

export interface BudgetAlert {
  id: string;
  type: "budget.threshold";
  /** Unix seconds when the alert was first sent. */
  timestamp: number;
  subject: string;
  period: SpendEvent["period"];
  period_start: string;
  period_end: string | null;
  threshold_percent: number;
  spent_usd: number;
  budget_usd: number;
}

/** Claims an alert key for this instance: true the first time anywhere, false after. */
export interface AlertDedup {
  claim(key: string, expireAtMs: number | null): Promise<boolean>;
}

export class MemoryAlertDedup implements AlertDedup {
  readonly #claimed = new Map<string, number | null>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async claim(key: string, expireAtMs: number | null): Promise<boolean> {
    const now = this.#now();
    for (const [k, at] of this.#claimed) if (at !== null && at < now) this.#claimed.delete(k);
    if (this.#claimed.has(key)) return false;
    this.#claimed.set(key, expireAtMs);
    return true;
  }
}

/**
 * SET NX with an expiry after the period, shared by every instance. When
 * Redis does not answer, falls back to this instance's memory: an alert may
 * then go out once per instance rather than not at all.
 */
export class RedisAlertDedup implements AlertDedup {
  readonly #local: MemoryAlertDedup;

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly now: () => number = Date.now) {
    this.#local = new MemoryAlertDedup(now);
  }

  async claim(key: string, expireAtMs: number | null): Promise<boolean> {
    const k = `${this.prefix}alert:${key}`;
    try {
      if (this.redis.status !== "ready") throw new Error(`Redis connection is ${this.redis.status}`);
      const reply = expireAtMs === null
        ? await this.redis.set(k, "1", "NX")
        : await this.redis.set(k, "1", "PX", Math.max(1_000, expireAtMs - this.now()), "NX");
      const won = reply === "OK";
      if (won) await this.#local.claim(key, expireAtMs);
      return won;
    } catch {
      return this.#local.claim(key, expireAtMs);
    }
  }
}

export interface BudgetAlertSettings {
  url: string;
  secret: string;
  /** Percentages of the budget; default 50, 80, 100. */
  thresholds?: readonly number[];
  dedup?: AlertDedup;
  /** Per delivery attempt. Default 5 s. */
  timeoutMs?: number;
  /** Attempts after the first, on network errors, 429 and 5xx. Default 2. */
  retries?: number;
  /** First retry delay, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  /** A delivery failed for good (or the hook broke); for logs and metrics. */
  onError?: (err: unknown, alert?: BudgetAlert) => void;
  onSent?: (alert: BudgetAlert) => void;
  now?: () => number;
}

const DAY_MS = 86_400_000;

export class BudgetAlerts {
  readonly #s: BudgetAlertSettings;
  readonly #thresholds: number[];
  readonly #dedup: AlertDedup;
  readonly #now: () => number;
  /** Keys this instance already claimed or saw taken: no second round trip for them. */
  readonly #settled = new Map<string, number | null>();
  readonly #pending = new Set<Promise<void>>();
  #nextPrune = 0;

  constructor(settings: BudgetAlertSettings) {
    this.#s = settings;
    this.#thresholds = [...(settings.thresholds ?? DEFAULT_THRESHOLDS_PERCENT)].filter((t) => Number.isFinite(t) && t > 0).sort((a, b) => a - b);
    this.#now = settings.now ?? Date.now;
    this.#dedup = settings.dedup ?? new MemoryAlertDedup(this.#now);
  }

  /** Called with every spend update (BudgetGuard's onSpend). Returns at once. */
  observe(e: SpendEvent): void {
    if (!(e.budgetUsd > 0)) return;
    this.#prune();
    const ratio = (e.spentUsd / e.budgetUsd) * 100;
    for (const pct of this.#thresholds) {
      // A small tolerance: 0.1 + 0.2 dollars of a 0.3 budget is 100 %.
      if (ratio + 1e-9 < pct) break;
      const key = `${e.subject}:${e.period}:${Date.parse(e.periodStart)}:${pct}`;
      if (this.#settled.has(key)) continue;
      const expireAt = e.periodEnd === null ? null : Date.parse(e.periodEnd) + DAY_MS;
      this.#settled.set(key, expireAt);
      this.#track(this.#fire(key, expireAt, e, pct));
    }
  }

  /** Waits (up to `maxWaitMs`) for alerts being delivered. */
  async close(maxWaitMs = 5_000): Promise<void> {
    await Promise.race([Promise.allSettled([...this.#pending]), sleep(maxWaitMs, undefined, { ref: false })]);
  }

  async #fire(key: string, expireAt: number | null, e: SpendEvent, pct: number): Promise<void> {
    if (!(await this.#dedup.claim(key, expireAt))) return;
    const alert: BudgetAlert = {
      id: `alert_${createHmac("sha256", "liaison-alert-id").update(key).digest("hex").slice(0, 24)}`,
      type: "budget.threshold",
      timestamp: Math.floor(this.#now() / 1000),
      subject: e.subject,
      period: e.period,
      period_start: e.periodStart,
      period_end: e.periodEnd,
      threshold_percent: pct,
      spent_usd: e.spentUsd,
      budget_usd: e.budgetUsd,
    };
    try {
      await deliver(this.#s, alert);
      safely(() => this.#s.onSent?.(alert));
    } catch (err) {
      safely(() => this.#s.onError?.(err, alert));
    }
  }

  #track(p: Promise<void>): void {
    // Only a custom dedup can throw here (delivery failures are caught in #fire).
    const guarded = p.catch((err: unknown) => safely(() => this.#s.onError?.(err)));
    this.#pending.add(guarded);
    void guarded.finally(() => this.#pending.delete(guarded));
  }

  #prune(): void {
    const now = this.#now();
    if (now < this.#nextPrune) return;
    this.#nextPrune = now + 60_000;
    for (const [k, at] of this.#settled) if (at !== null && at < now) this.#settled.delete(k);
  }
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body. */
export function signWebhookBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * What a receiver does: signature over the raw body (constant time), then
 * the signed timestamp within `toleranceSeconds` of its clock. Remembering
 * ids for that long (to drop retries and replays) is the receiver's part.
 */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, signature: string | undefined,
  options: { toleranceSeconds?: number; nowMs?: number } = {}): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  let timestamp: unknown;
  try {
    timestamp = (JSON.parse(rawBody.toString()) as { timestamp?: unknown }).timestamp;
  } catch {
    return false;
  }
  if (typeof timestamp !== "number") return false;
  const now = (options.nowMs ?? Date.now()) / 1000;
  return Math.abs(now - timestamp) <= (options.toleranceSeconds ?? 300);
}

async function deliver(s: BudgetAlertSettings, alert: BudgetAlert): Promise<void> {
  const body = JSON.stringify(alert);
  const headers = {
    "content-type": "application/json",
    "user-agent": "liaison-webhooks",
    [SIGNATURE_HEADER]: signWebhookBody(s.secret, body),
    [TIMESTAMP_HEADER]: String(alert.timestamp),
  };
  const retries = s.retries ?? 2;
  let delay = s.retryDelayMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    let retryable: boolean;
    let failure: unknown;
    try {
      const res = await fetch(s.url, { method: "POST", headers, body, signal: AbortSignal.timeout(s.timeoutMs ?? 5_000) });
      await res.body?.cancel().catch(() => undefined); // the receiver's answer is not read: free the connection
      if (res.ok) return;
      failure = new Error(`Budget webhook ${s.url} answered ${res.status}`);
      retryable = res.status === 429 || res.status >= 500;
    } catch (err) {
      failure = err;
      retryable = true;
    }
    if (!retryable || attempt >= retries) throw failure;
    await sleep(delay, undefined, { ref: false });
    delay *= 2;
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // Reporting hooks must not break alert delivery.
  }
}
