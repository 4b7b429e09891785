/**
 * Limits, budgets, spend records and alerts for the engine: in memory by
 * default, shared through Redis when a URL is configured (DESIGN.md §3),
 * spend persisted to the spend store when one is given.
 */
import { SpendWriter } from "../../store/spend/spend-writer.js";
import type { SpendStore } from "../../store/spend/types.js";
import { currentStarts } from "./budget-period.js";
import { MemoryBudgetGuard, type BudgetGuard, type SpendEvent } from "./budgets.js";
import type { QuotaGate, RedisFailurePolicy } from "./limits.js";
import { MemoryQuotaGate } from "./memory-quota-gate.js";
import { RedisBudgetGuard } from "./redis-budget-guard.js";
import { RedisQuotaGate } from "./redis-quota-gate.js";
import { BudgetAlerts, RedisAlertDedup, type BudgetAlert } from "./webhooks.js";
import { newRedisClient } from "../../core/redis-options.js";

export interface WebhookSettings {
  url: string;
  secret: string;
  /** Percent of the budget; default 50, 80, 100. */
  thresholds?: number[];
  timeoutMs?: number;
  retries?: number;
}

export interface QuotaSettings {
  /** redis:// or rediss:// URL; without it everything is counted by this process. */
  redisUrl?: string;
  /** Prepended to every Redis key. Default `liaison:`. */
  prefix?: string;
  /** Redis unreachable: admit (open, default) or refuse with 503 (closed). */
  limitsFailure?: RedisFailurePolicy;
  budgetsFailure?: RedisFailurePolicy;
  parallelLeaseMs?: number;
  /** While Redis is unreachable (policy open), the share of each limit this instance admits on its own, counting from the last shared counts it saw. Default 1. */
  degradedShare?: number;
  /** Where spend is kept for the record; loaded at start so counting resumes where it stopped. */
  spendStore?: SpendStore;
  spendFlushIntervalMs?: number;
  webhook?: WebhookSettings;
  /** Redis became unreachable (once per outage per component, then every 10 s at most). */
  onError?: (err: unknown, component: "limits" | "budgets") => void;
  onRecover?: (component: "limits" | "budgets") => void;
  /** Spend could not be stored (will retry) or loaded at start. */
  onStoreError?: (err: unknown) => void;
  onAlertError?: (err: unknown, alert?: BudgetAlert) => void;
  onAlertSent?: (alert: BudgetAlert) => void;
  now?: () => number;
}

export interface Quotas {
  gate: QuotaGate;
  budgets: BudgetGuard;
  /** Resolves once Redis is connected (at once without it); false if not reachable yet. Never rejects. */
  ready: Promise<boolean>;
  /** Which components are running on this instance's own counts because Redis is unreachable (for metrics). */
  degraded(): { limits: boolean; budgets: boolean };
  close(): Promise<void>;
}


export async function createQuotas(settings: QuotaSettings = {}): Promise<Quotas> {
  const now = settings.now ?? Date.now;
  const store = settings.spendStore;
  const baseline = store ? await store.current(currentStarts(now())).catch((err: unknown) => {
    settings.onStoreError?.(err);
    return [];
  }) : [];
  const writer = store ? new SpendWriter(store, {
    flushIntervalMs: settings.spendFlushIntervalMs,
    onError: (err) => settings.onStoreError?.(err),
    onDropped: (left) => settings.onStoreError?.(new Error(`${left.length} spend rows could not be stored before shutdown`)),
  }) : undefined;

  const redis = settings.redisUrl ? newRedisClient(settings.redisUrl) : undefined;
  // Failures surface through the components' outage reports; this only keeps ioredis from printing each reconnection.
  redis?.on("error", () => {});
  const prefix = settings.prefix ?? "liaison:";

  const alerts = settings.webhook ? new BudgetAlerts({
    ...settings.webhook,
    ...(redis ? { dedup: new RedisAlertDedup(redis, prefix, now) } : {}),
    onError: settings.onAlertError,
    onSent: settings.onAlertSent,
    now,
  }) : undefined;
  const onSpend = (e: SpendEvent) => {
    writer?.add({ subject: e.subject, period: e.period, period_start: e.periodStart, usd: e.addedUsd });
    alerts?.observe(e);
  };

  const hooks = (component: "limits" | "budgets") => ({
    onError: (err: unknown) => settings.onError?.(err, component),
    onRecover: () => settings.onRecover?.(component),
  });
  const gate = redis
    ? new RedisQuotaGate({
      redis, prefix, fail: settings.limitsFailure, leaseMs: settings.parallelLeaseMs, degradedShare: settings.degradedShare, now, ...hooks("limits"),
    })
    : new MemoryQuotaGate({ now });
  const budgets = redis
    ? new RedisBudgetGuard({ redis, prefix, fail: settings.budgetsFailure, baseline, onSpend, now, ...hooks("budgets") })
    : new MemoryBudgetGuard({ baseline, onSpend, now });

  return {
    gate,
    budgets,
    ready: redis ? redis.connect().then(() => true, () => false) : Promise.resolve(true),
    degraded: () => ({
      limits: gate instanceof RedisQuotaGate && gate.degraded,
      budgets: budgets instanceof RedisBudgetGuard && budgets.degraded,
    }),
    async close() {
      await Promise.all([gate.close(), budgets.close()]);
      await alerts?.close();
      await writer?.close();
      if (redis) {
        if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      }
    },
  };
}
