import { afterEach, describe, expect, it } from "vitest";
import { MemoryUpstreamLimiter, RedisUpstreamLimiter } from "../../../src/engine/health/upstream-limiter.js";
import type { UpstreamLimiter } from "../../../src/engine/health/types.js";
import { FakeClock } from "./fake-clock.js";
import { RedisTestEnv, awayFromMinuteEdge } from "./redis-test-env.js";

const K = "openai/gpt-4o";

let env: RedisTestEnv | undefined;
const opened: UpstreamLimiter[] = [];
const redisErrors: unknown[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  await env?.cleanup();
  env = undefined;
  expect(redisErrors.splice(0)).toEqual([]);
});

/** One contract, every backend (STYLE.md rule 11). */
const backends: [string, () => Promise<UpstreamLimiter>][] = [
  ["memory", async () => new MemoryUpstreamLimiter()],
  ["redis", async () => {
    env = new RedisTestEnv();
    return new RedisUpstreamLimiter({ redis: await env.client(), prefix: env.prefix, onError: (err) => redisErrors.push(err) });
  }],
];

describe.each(backends)("UpstreamLimiter contract: %s", (_name, make) => {
  async function limiter(): Promise<UpstreamLimiter> {
    await awayFromMinuteEdge();
    const l = await make();
    opened.push(l);
    return l;
  }

  it("without limits, always allows", async () => {
    const l = await limiter();
    for (let i = 0; i < 50; i++) expect(await l.tryAcquire(K, {}, 1_000_000)).toBe(true);
  });

  it("stops at rpm, per target", async () => {
    const l = await limiter();
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await l.tryAcquire(K, { rpm: 5 }, 10));
    expect(results).toEqual([true, true, true, true, true, false, false]);
    expect(await l.tryAcquire("other/model", { rpm: 5 }, 10)).toBe(true);
  });

  it("stops at tpm; reserves both or nothing", async () => {
    const l = await limiter();
    expect(await l.tryAcquire(K, { rpm: 3, tpm: 1_000 }, 600)).toBe(true);
    expect(await l.tryAcquire(K, { rpm: 3, tpm: 1_000 }, 600)).toBe(false); // 1200 > 1000, and no request taken
    expect(await l.tryAcquire(K, { rpm: 3, tpm: 1_000 }, 400)).toBe(true); // exactly 1000
    expect(await l.tryAcquire(K, { rpm: 3, tpm: 1_000 }, 0)).toBe(true); // the third request
    expect(await l.tryAcquire(K, { rpm: 3, tpm: 1_000 }, 0)).toBe(false); // rpm
  });

  it("settle gives back unused tokens and takes extra ones", async () => {
    const l = await limiter();
    const limits = { tpm: 1_000 };
    expect(await l.tryAcquire(K, limits, 600)).toBe(true);
    expect(await l.tryAcquire(K, limits, 600)).toBe(false);
    l.settle(K, 600, 200); // 200 used
    await expect.poll(() => l.tryAcquire(K, limits, 600)).toBe(true); // 800
    l.settle(K, 600, 900); // 1100 used
    await expect.poll(async () => {
      const ok = await l.tryAcquire(K, limits, 1);
      if (ok) l.settle(K, 1, 0);
      return ok;
    }).toBe(false);
  });
});

describe("MemoryUpstreamLimiter window", () => {
  it("slides: the previous minute weighs less as the current one goes on", async () => {
    const clock = new FakeClock(60_000 * 1_000);
    const l = new MemoryUpstreamLimiter({ now: clock.now });
    const take = async (n: number) => { let ok = 0; for (let i = 0; i < n; i++) if (await l.tryAcquire(K, { rpm: 10 }, 0)) ok++; return ok; };
    expect(await take(20)).toBe(10);
    clock.advance(60_000); // next window starts: the previous one still weighs fully
    expect(await take(5)).toBe(0);
    clock.advance(30_000); // halfway: 10 · 0.5 = 5 left
    expect(await take(20)).toBe(5);
    clock.advance(60_000); // halfway through the next: 5 · 0.5 = 2.5 → 7 fit
    expect(await take(20)).toBe(7);
    clock.advance(120_000); // long idle: all forgotten
    expect(await take(20)).toBe(10);
  });
});

describe("RedisUpstreamLimiter across instances", () => {
  it("rpm 10 shared by two instances: exactly 10 of 40 concurrent attempts succeed", async () => {
    await awayFromMinuteEdge();
    const e = env = new RedisTestEnv();
    const make = async () => new RedisUpstreamLimiter({ redis: await e.client(), prefix: e.prefix, onError: (err) => redisErrors.push(err) });
    const a = await make();
    const b = await make();
    opened.push(a, b);
    const attempts = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).tryAcquire(K, { rpm: 10 }, 100));
    const results = await Promise.all(attempts);
    expect(results.filter(Boolean)).toHaveLength(10);
  });

  it("keeps only one hash per limited target, expiring", async () => {
    await awayFromMinuteEdge();
    const e = env = new RedisTestEnv();
    const redis = await e.client();
    const l = new RedisUpstreamLimiter({ redis, prefix: e.prefix });
    opened.push(l);
    await l.tryAcquire(K, { rpm: 10 }, 1);
    await l.tryAcquire("unlimited/model", {}, 1);
    l.settle("unlimited/model", 1, 5);
    expect(await e.keys()).toEqual([`${e.prefix}ul:${K}`]);
    expect(await redis.pttl(`${e.prefix}ul:${K}`)).toBeGreaterThan(60_000);
  });
});
