/** Budgets: the BudgetGuard contract against memory and a real Redis, periods, and two Redis guards sharing one budget. */
import { afterEach, describe, expect, it } from "vitest";
import { periodWindow } from "../../../src/engine/quotas/budget-period.js";
import {
  MemoryBudgetGuard, type BudgetCheck, type BudgetGuard, type BudgetGuardSettings, type BudgetRefused, type SpendEvent,
} from "../../../src/engine/quotas/budgets.js";
import { RedisBudgetGuard } from "../../../src/engine/quotas/redis-budget-guard.js";
import { budgetError } from "../../../src/engine/quotas/quota-errors.js";
import { RedisTestEnv } from "../health/redis-test-env.js";

let env: RedisTestEnv | undefined;
const opened: BudgetGuard[] = [];
const redisErrors: unknown[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.close()));
  await env?.cleanup();
  env = undefined;
  expect(redisErrors.splice(0)).toEqual([]);
});

async function redisGuard(settings: BudgetGuardSettings = {}): Promise<RedisBudgetGuard> {
  env ??= new RedisTestEnv();
  const g = new RedisBudgetGuard({ redis: await env.client(), prefix: env.prefix, onError: (e) => redisErrors.push(e), ...settings });
  opened.push(g);
  return g;
}

const backends: [string, (s?: BudgetGuardSettings) => Promise<BudgetGuard>][] = [
  ["memory", async (s) => new MemoryBudgetGuard(s)],
  ["redis", (s) => redisGuard(s)],
];

const WED = Date.parse("2024-05-15T12:00:00.000Z");

function allowed(c: BudgetCheck): Extract<BudgetCheck, { ok: true }> {
  if (!c.ok) throw new Error(`refused: ${JSON.stringify(c)}`);
  return c;
}

function refusedBy(c: BudgetCheck): BudgetRefused {
  if (c.ok) throw new Error("allowed");
  return c;
}

describe("budget periods (UTC, weeks from Monday)", () => {
  it.each([
    ["daily", "2024-05-15T23:59:59.999Z", "2024-05-15T00:00:00.000Z", "2024-05-16T00:00:00.000Z"],
    ["weekly", "2024-05-15T12:00:00.000Z", "2024-05-13T00:00:00.000Z", "2024-05-20T00:00:00.000Z"],
    ["weekly", "2024-05-19T23:59:00.000Z", "2024-05-13T00:00:00.000Z", "2024-05-20T00:00:00.000Z"], // Sunday
    ["weekly", "2024-05-20T00:00:00.000Z", "2024-05-20T00:00:00.000Z", "2024-05-27T00:00:00.000Z"], // Monday
    ["monthly", "2024-12-31T23:00:00.000Z", "2024-12-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
    ["monthly", "2024-02-29T10:00:00.000Z", "2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"],
    ["total", "2024-05-15T12:00:00.000Z", "1970-01-01T00:00:00.000Z", null],
  ] as const)("%s at %s", (period, at, start, end) => {
    expect(periodWindow(period, Date.parse(at))).toMatchObject({ start, end });
  });
});

describe.each(backends)("BudgetGuard contract: %s", (_name, make) => {
  async function guard(settings: BudgetGuardSettings = {}): Promise<BudgetGuard> {
    const g = await make(settings);
    opened.push(g);
    return g;
  }

  it("refuses a request whose estimate would pass the budget, and once it is spent", async () => {
    const events: SpendEvent[] = [];
    const g = await guard({ now: () => WED, onSpend: (e) => events.push(e) });
    const k = [{ id: "key:k1", budgetUsd: 1, period: "monthly" as const }];
    allowed(await g.check(k, 0.6)).settle(0.6);
    await expect.poll(() => events.length).toBe(1);
    const no = refusedBy(await g.check(k, 0.5));
    expect(no).toMatchObject({ reason: "budget", subject: "key:k1", budgetUsd: 1, period: "monthly", resetsAt: "2024-06-01T00:00:00.000Z" });
    expect(no.spentUsd).toBeCloseTo(0.6);
    expect(budgetError(no).toJSON().error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(budgetError(no).status).toBe(429);
    const last = allowed(await g.check(k, 0.4));
    last.settle(0.4);
    last.settle(0.4); // once only
    await expect.poll(() => events.length).toBe(2);
    expect(events[1]).toMatchObject({ subject: "key:k1", period: "monthly", periodStart: "2024-05-01T00:00:00.000Z", addedUsd: 0.4 });
    expect(events[1]!.spentUsd).toBeCloseTo(1);
    expect(refusedBy(await g.check(k, 0)).spentUsd).toBeCloseTo(1); // spent ≥ budget: even a free-looking request
  });

  it("requests in flight hold their estimate until they settle", async () => {
    const g = await guard({ now: () => WED });
    const k = [{ id: "key:k1", budgetUsd: 1 }];
    const a = allowed(await g.check(k, 0.6));
    refusedBy(await g.check(k, 0.6));
    a.settle(0.1); // cost less than estimated: the rest is free again
    await expect.poll(async () => (await g.check(k, 0.6)).ok).toBe(true);
  });

  it("all or nothing: a team over budget takes nothing from the key", async () => {
    const g = await guard({ now: () => WED });
    const key = { id: "key:k1", budgetUsd: 1 };
    const team = { id: "team:t1", budgetUsd: 0.5, period: "daily" as const };
    expect(refusedBy(await g.check([key, team], 0.8))).toMatchObject({ subject: "team:t1", period: "daily", resetsAt: "2024-05-16T00:00:00.000Z" });
    allowed(await g.check([key], 1)); // the key's whole dollar is still there
  });

  it("subjects without a budget are not checked; a zero budget refuses", async () => {
    const g = await guard({ now: () => WED });
    allowed(await g.check([{ id: "key:free" }], 1e9));
    refusedBy(await g.check([{ id: "key:zero", budgetUsd: 0 }], 0));
  });

  it("period rollover: a new day starts from zero", async () => {
    let t = Date.parse("2024-05-15T23:59:00.000Z");
    const g = await guard({ now: () => t });
    const k = [{ id: "key:k1", budgetUsd: 1, period: "daily" as const }];
    allowed(await g.check(k, 1)).settle(1);
    await expect.poll(async () => (await g.check(k, 0.01)).ok).toBe(false);
    t = Date.parse("2024-05-16T00:00:00.000Z");
    allowed(await g.check(k, 1));
  });

  it("a settle after the period ended counts in the period the request started in", async () => {
    let t = Date.parse("2024-05-15T23:59:59.000Z");
    const events: SpendEvent[] = [];
    const g = await guard({ now: () => t, onSpend: (e) => events.push(e) });
    const k = [{ id: "key:k1", budgetUsd: 1, period: "daily" as const }];
    const a = allowed(await g.check(k, 0.5));
    t += 2_000;
    a.settle(0.9);
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]!.periodStart).toBe("2024-05-15T00:00:00.000Z");
    allowed(await g.check(k, 1)); // the new day is untouched
  });

  it("starts from the stored spend of the current period", async () => {
    const g = await guard({
      now: () => WED,
      baseline: [{ subject: "key:k1", period: "monthly", period_start: "2024-05-01T00:00:00.000Z", usd: 0.9, updated_at: "2024-05-14T00:00:00.000Z" }],
    });
    const k = [{ id: "key:k1", budgetUsd: 1, period: "monthly" as const }];
    expect(refusedBy(await g.check(k, 0.2)).spentUsd).toBeCloseTo(0.9);
    allowed(await g.check(k, 0.1));
  });

  it("record() adds spend that had no reservation", async () => {
    const g = await guard({ now: () => WED });
    const k = [{ id: "key:k1", budgetUsd: 1 }];
    g.record(k, 0.7);
    await expect.poll(async () => (await g.check(k, 0.5)).ok).toBe(false);
  });
});

describe("Two RedisBudgetGuards on one Redis", () => {
  it("cannot both spend the last dollar", async () => {
    const a = await redisGuard({ now: () => WED });
    const b = await redisGuard({ now: () => WED });
    const k = [{ id: "key:k1", budgetUsd: 1, period: "weekly" as const }, { id: "team:t1", budgetUsd: 100 }];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).check(k, 0.1)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    for (const r of results) if (r.ok) r.settle(0.1);
    await expect.poll(async () => (await a.check(k, 0.01)).ok).toBe(false);
    expect(refusedBy(await b.check(k, 0)).spentUsd).toBeCloseTo(1);
  });

  it("a budget Redis lost starts again from the spend the instance knows", async () => {
    const a = await redisGuard({ now: () => WED });
    const k = [{ id: "key:k1", budgetUsd: 1 }];
    allowed(await a.check(k, 0.8)).settle(0.8);
    await expect.poll(async () => (await a.check(k, 0.3)).ok).toBe(false);
    const admin = await env!.admin();
    await admin.del(...(await env!.keys()));
    expect(refusedBy(await a.check(k, 0.3)).spentUsd).toBeCloseTo(0.8);
  });
});
