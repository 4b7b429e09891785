/** Redis unreachable or lost: limits and budgets follow their failure policy, report once, never throw. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { RedisBudgetGuard } from "../../../src/engine/quotas/redis-budget-guard.js";
import { RedisQuotaGate } from "../../../src/engine/quotas/redis-quota-gate.js";
import { budgetError, limitError } from "../../../src/engine/quotas/quota-errors.js";
import type { RedisFailurePolicy, Refused } from "../../../src/engine/quotas/limits.js";
import type { BudgetRefused } from "../../../src/engine/quotas/budgets.js";
import { REDIS_URL, RedisTestEnv } from "../health/redis-test-env.js";
import { createQuotas } from "../../../src/engine/quotas/create-quotas.js";

const DEAD_URL = "redis://127.0.0.1:1";
const subjects = [{ id: "key:k1", limits: { rpm: 3, maxParallel: 10 } }, { id: "team:t1", limits: { tpm: 1_000 } }];
const budgeted = [{ id: "key:k1", budgetUsd: 1 }];

let env: RedisTestEnv;
const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
  await env.cleanup();
});

function deadRedis() {
  env = new RedisTestEnv();
  return env.unconnected(DEAD_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
}

function both(fail: RedisFailurePolicy, redis = deadRedis()) {
  const errors: unknown[] = [];
  const gate = new RedisQuotaGate({ redis, prefix: env.prefix, fail, onError: (e) => errors.push(e) });
  const budgets = new RedisBudgetGuard({ redis, prefix: env.prefix, fail, onError: (e) => errors.push(e) });
  toClose.push(gate, budgets);
  return { gate, budgets, errors };
}

describe("Redis down", () => {
  it("fail open: admits, counting on this instance; reported once; nothing throws", async () => {
    const { gate, budgets, errors } = both("open");
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0)); // the connection error itself
    const results = await Promise.all(Array.from({ length: 5 }, () => gate.admit(subjects, 100)));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]); // this instance still enforces rpm 3
    expect((results[3] as Refused).limit).toBe("rpm");
    for (const r of results) if (r.ok) expect(() => r.release(50)).not.toThrow();
    expect(gate.degraded).toBe(true);

    const c = await budgets.check(budgeted, 0.6);
    expect(c.ok).toBe(true);
    if (c.ok) expect(() => c.settle(0.6)).not.toThrow();
    await vi.waitFor(async () => expect((await budgets.check(budgeted, 0.6)).ok).toBe(false)); // counted locally
    expect(() => budgets.record(budgeted, 0.1)).not.toThrow();
    // One report per component per outage (then every 10 s at most), not one per request.
    expect(errors.length).toBeLessThanOrEqual(4);
  });

  it("fail closed: refuses with 503s that say why", async () => {
    const { gate, budgets } = both("closed");
    const r = await gate.admit(subjects, 100);
    expect(r).toMatchObject({ ok: false, limit: "unavailable", subject: null });
    const e = limitError(r as Refused);
    expect(e.status).toBe(503);
    expect(e.toJSON().error.code).toBe("limits_unavailable");
    expect(e.retryAfter).toBeGreaterThan(0);

    const b = await budgets.check(budgeted, 0.1);
    expect(b).toMatchObject({ ok: false, reason: "unavailable" });
    expect(budgetError(b as BudgetRefused).status).toBe(503);
    // Subjects without limits or budgets need no Redis: never refused.
    expect((await gate.admit([{ id: "key:free", limits: {} }], 100)).ok).toBe(true);
    expect((await budgets.check([{ id: "key:free" }], 100)).ok).toBe(true);
  });

  it("lost mid-flight: releases and settles are dropped quietly; spend is kept to add later", async () => {
    env = new RedisTestEnv();
    const redis = await env.client({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const errors: unknown[] = [];
    const gate = new RedisQuotaGate({ redis, prefix: env.prefix, onError: (e) => errors.push(e) });
    const events: number[] = [];
    const budgets = new RedisBudgetGuard({ redis, prefix: env.prefix, onError: (e) => errors.push(e), onSpend: (e) => events.push(e.spentUsd) });
    toClose.push(gate, budgets);
    const a = await gate.admit(subjects, 100);
    const b = await budgets.check(budgeted, 0.5);
    expect(a.ok && b.ok).toBe(true);
    await redis.quit();
    if (a.ok) a.release(10);
    if (b.ok) b.settle(0.5);
    await vi.waitFor(() => expect(events).toEqual([0.5]));
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(1));
    // The instance's own view goes on: 0.5 spent, so 0.6 more does not fit.
    expect((await budgets.check(budgeted, 0.6)).ok).toBe(false);
  });

  it("spend that could not be written during an outage is added once Redis is back", async () => {
    env = new RedisTestEnv();
    const redis = await env.client({ connectionName: "budget-under-test", enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const errors: unknown[] = [];
    let recovered = 0;
    const budgets = new RedisBudgetGuard({ redis, prefix: env.prefix, onError: (e) => errors.push(e), onRecover: () => recovered++ });
    toClose.push(budgets);
    budgets.record(budgeted, 0.25);
    await vi.waitFor(async () => expect((await env.keys()).length).toBe(1));
    expect(await env.kill("budget-under-test")).toBe(1);
    await vi.waitFor(() => expect(redis.status).not.toBe("ready"));
    budgets.record(budgeted, 0.5); // cannot be written now
    await vi.waitFor(() => expect(redis.status).toBe("ready"), { timeout: 5_000 });
    await vi.waitFor(async () => {
      budgets.record(budgeted, 0); // the next write to the same period carries what was kept
      const [key] = await env.keys();
      expect(Number(await (await env.admin()).hget(key!, "s"))).toBeCloseTo(0.75);
    }, { timeout: 5_000, interval: 300 });
    expect(recovered).toBe(1);
    expect(errors.length).toBeGreaterThanOrEqual(1);
  });

  it("createQuotas: shared when Redis answers, degraded (and still serving) when it does not", async () => {
    env = new RedisTestEnv();
    const up = await createQuotas({ redisUrl: REDIS_URL, prefix: env.prefix });
    toClose.push(up);
    expect(await up.ready).toBe(true);
    expect((await up.gate.admit(subjects, 10)).ok).toBe(true);
    expect(up.degraded()).toEqual({ limits: false, budgets: false });
    expect((await env.keys()).length).toBeGreaterThan(0);

    const components: string[] = [];
    const down = await createQuotas({ redisUrl: DEAD_URL, prefix: env.prefix, onError: (_e, c) => components.push(c) });
    toClose.push(down);
    expect(await down.ready).toBe(false);
    expect((await down.gate.admit(subjects, 10)).ok).toBe(true);
    expect((await down.budgets.check(budgeted, 0.1)).ok).toBe(true);
    await vi.waitFor(() => expect(down.degraded()).toEqual({ limits: true, budgets: true }));
    expect(new Set(components)).toEqual(new Set(["limits", "budgets"]));
  });

  it("createQuotas: degradedShare reaches the limits (rpm 4 at share 0.5: 2 here while Redis is away)", async () => {
    env = new RedisTestEnv();
    const down = await createQuotas({ redisUrl: DEAD_URL, prefix: env.prefix, degradedShare: 0.5 });
    toClose.push(down);
    const s = [{ id: "key:k1", limits: { rpm: 4 } }];
    const results = await Promise.all([1, 2, 3].map(() => down.gate.admit(s, 0)));
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ limit: "rpm", limitValue: 2 });
  });
});
