/**
 * Redis unreachable under `fail: open` (redis.degraded_share): two gates on
 * one real Redis count on from the last shared counts each saw, within its
 * share of every limit, and hand back to the shared counts when Redis returns.
 */
import type { Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Admitted, QuotaGate, QuotaSubject, SubjectLimits } from "../../../src/engine/quotas/limits.js";
import { RedisBudgetGuard } from "../../../src/engine/quotas/redis-budget-guard.js";
import { RedisQuotaGate } from "../../../src/engine/quotas/redis-quota-gate.js";
import { FakeClock } from "../health/fake-clock.js";
import { RedisTestEnv, awayFromMinuteEdge } from "../health/redis-test-env.js";

let env: RedisTestEnv;
const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
  await env.cleanup();
});

interface Instance { redis: Redis; gate: RedisQuotaGate }

/**
 * Two instances on one Redis. Their clock is fake and nowhere near Redis's
 * (the gates learn the difference from the script replies), so time during
 * the outage moves only when the test says so.
 */
async function twoInstances(degradedShare: number): Promise<{ clock: FakeClock; a: Instance; b: Instance }> {
  env = new RedisTestEnv();
  // Every request of a test falls in one Redis minute, so the counts below are exact.
  await awayFromMinuteEdge(10_000);
  const clock = new FakeClock();
  const make = async (): Promise<Instance> => {
    const redis = await env.client({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const gate = new RedisQuotaGate({ redis, prefix: env.prefix, degradedShare, now: clock.now });
    toClose.push(gate);
    return { redis, gate };
  };
  return { clock, a: await make(), b: await make() };
}

const key = (id: string, limits: SubjectLimits): QuotaSubject[] => [{ id, limits }];

/** Admits one at a time (up to `tries`) and says how many got in. */
async function admitted(gate: QuotaGate, subjects: QuotaSubject[], tries: number, held: Admitted[] = []): Promise<number> {
  let n = 0;
  for (let i = 0; i < tries; i++) {
    const a = await gate.admit(subjects, 0);
    if (a.ok) {
      n++;
      held.push(a);
    }
  }
  return n;
}

/** 2n requests through Redis, alternating: a's last reply shows 2n − 1 used, b's 2n. */
async function alternate(a: Instance, b: Instance, subjects: QuotaSubject[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    expect((await a.gate.admit(subjects, 0)).ok).toBe(true);
    expect((await b.gate.admit(subjects, 0)).ok).toBe(true);
  }
}

/** What an outage looks like to a gate: its connection is gone (the shared Redis itself stays up for other tests). */
async function cut(...instances: Instance[]): Promise<void> {
  await Promise.all(instances.map(async (i) => {
    const ended = new Promise((resolve) => i.redis.once("end", resolve));
    i.redis.disconnect();
    await ended;
  }));
}

async function restore(clock: FakeClock, ...instances: Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.redis.connect()));
  clock.advance(1_500); // a gate that saw Redis fail tries it again once a second
}

describe("redis.degraded_share: counting on from the last shared counts", () => {
  it("share 1: each instance takes what the limit left when it last saw Redis, not the whole limit again", async () => {
    const { clock, a, b } = await twoInstances(1);
    const s = key("key:k1", { rpm: 30 });
    await alternate(a, b, s, 10); // 20 through Redis: a last saw 19, b 20
    await cut(a, b);

    // Starting from zero each would take 30 (90 in the minute); from what they saw, 11 and 10.
    expect(await admitted(a.gate, s, 30)).toBe(11);
    expect(await admitted(b.gate, s, 30)).toBe(10);
    expect(a.gate.degraded && b.gate.degraded).toBe(true);

    await restore(clock, a, b);
    // Redis counts again; the 21 admitted on the instances' own were never added to it: 10 left of 30.
    const after = (await admitted(a.gate, s, 8)) + (await admitted(b.gate, s, 8));
    expect(after).toBe(10);
    expect(a.gate.degraded || b.gate.degraded).toBe(false);
  });

  it("share 0.5: each instance stops at half the limit, counted from the shared count; a subject never seen starts from zero", async () => {
    const { clock, a, b } = await twoInstances(0.5);
    const k1 = key("key:k1", { rpm: 30 });
    const k2 = key("key:k2", { rpm: 30 });
    const unseen = key("key:new", { rpm: 30 });
    await alternate(a, b, k1, 5); // 10 used: a saw 9, b 10
    await alternate(a, b, k2, 10); // 20 used: more than half already
    await cut(a, b);

    // 15 each: 6 and 5 more on k1, so the minute stays within 30 (10 + 11) with both instances on their own.
    expect(await admitted(a.gate, k1, 30)).toBe(6);
    expect(await admitted(b.gate, k1, 30)).toBe(5);
    expect(await admitted(a.gate, k2, 30)).toBe(0);
    expect(await admitted(b.gate, k2, 30)).toBe(0);
    expect(await admitted(a.gate, unseen, 30)).toBe(15);

    // 90 s later in the instances' view the shared 20 of k2 weigh at most half (or nothing): below 15 again.
    clock.advance(90_000);
    expect(await admitted(a.gate, k2, 30)).toBeGreaterThan(0);

    await restore(clock, a, b);
    // Back on Redis (whose minute has not moved): the full limit, from the shared count of 10.
    expect((await admitted(a.gate, k1, 12)) + (await admitted(b.gate, k1, 12))).toBe(20);
  });

  it("a flapping Redis does not hand out the limit again at every outage: what was admitted locally still counts", async () => {
    const { clock, a, b } = await twoInstances(1);
    const s = key("key:k1", { rpm: 30 });
    await alternate(a, b, s, 5); // a saw 9
    await cut(a);
    expect(await admitted(a.gate, s, 30)).toBe(21);
    await restore(clock, a);
    expect(await admitted(a.gate, s, 1)).toBe(1); // Redis knows 11 of the 31
    await cut(a);
    expect(await admitted(a.gate, s, 30)).toBe(0); // 11 shared + 21 of its own
  });

  it("parallel slots: those this instance holds when Redis goes away count against its share, other instances' do not", async () => {
    const { a, b } = await twoInstances(0.5);
    const s = key("key:k1", { maxParallel: 4 }); // 2 per instance while Redis is down
    const heldByA: Admitted[] = [];
    expect(await admitted(a.gate, s, 1, heldByA)).toBe(1);
    await cut(a, b);

    const local: Admitted[] = [];
    expect(await admitted(a.gate, s, 4, local)).toBe(1); // its own stream still runs: one slot left
    expect(await admitted(b.gate, s, 4, local)).toBe(2);
    heldByA[0]!.release(0); // cannot reach Redis, but frees the slot here
    expect(await admitted(a.gate, s, 4, local)).toBe(1);
    for (const l of local) l.release(0);
    expect(await admitted(a.gate, s, 4)).toBe(2);
  });

  it("share applies to tpm too, and a share of a tiny limit is still at least 1", async () => {
    const { a } = await twoInstances(0.5);
    const s = key("key:k1", { rpm: 1, tpm: 1_000 });
    const t = key("key:k2", { tpm: 1_000 });
    expect((await a.gate.admit(t, 300)).ok).toBe(true); // 300 of 1000 tokens, shared
    await cut(a);
    expect((await a.gate.admit(s, 10)).ok).toBe(true); // floor(1 × 0.5) would be 0: 1
    expect((await a.gate.admit(s, 10)).ok).toBe(false);
    // 500 per instance, 300 already used: 200 left here.
    expect(await a.gate.admit(t, 201)).toMatchObject({ ok: false, limit: "tpm", limitValue: 500 });
    expect((await a.gate.admit(t, 200)).ok).toBe(true);
  });
});

describe("budgets while Redis is down", () => {
  it("already count from the last shared spend this instance saw (no share: a budget is not split)", async () => {
    env = new RedisTestEnv();
    const open = async () => {
      const redis = await env.client({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      const guard = new RedisBudgetGuard({ redis, prefix: env.prefix });
      toClose.push(guard);
      return { redis, guard };
    };
    const a = await open();
    const b = await open();
    const budget = [{ id: "key:k1", budgetUsd: 1 }];
    const spend = await a.guard.check(budget, 0.1);
    if (spend.ok) spend.settle(0.7);
    await vi.waitFor(async () => expect(Number(await (await env.admin()).hget((await env.keys())[0]!, "s"))).toBeCloseTo(0.7));
    const look = await b.guard.check(budget, 0.1); // b learns the shared 0.7 from the reply
    expect(look.ok).toBe(true);
    if (look.ok) look.settle(0);
    await vi.waitFor(async () => expect(Number((await (await env.admin()).hget((await env.keys())[0]!, "r")))).toBeCloseTo(0));

    const ended = new Promise((resolve) => b.redis.once("end", resolve));
    b.redis.disconnect();
    await ended;
    expect(await b.guard.check(budget, 0.4)).toMatchObject({ ok: false, reason: "budget", spentUsd: 0.7 });
    expect((await b.guard.check(budget, 0.2)).ok).toBe(true);
  });
});
