/** Redis unreachable, or lost mid-flight: the gateway keeps serving from its own view and says so. */
import { type AddressInfo, type Socket, createServer } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHealth, type Health } from "../../../src/engine/health/create-health.js";
import { RedisCircuitBreakers } from "../../../src/engine/health/redis-breakers.js";
import { RedisUpstreamLimiter } from "../../../src/engine/health/upstream-limiter.js";
import type { BreakerOptions } from "../../../src/engine/health/types.js";
import { REDIS_URL, RedisTestEnv } from "./redis-test-env.js";

const OPTIONS: BreakerOptions = { consecutiveFailures: 3, errorRate: 0.5, minRequests: 10, windowMs: 10_000, cooldownMs: 60_000, halfOpenProbes: 1 };
const K = "openai/gpt-4o";
const DEAD_URL = "redis://127.0.0.1:1";

let env: RedisTestEnv;
const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c.close()));
  await env.cleanup();
});

function fail(b: { record(key: string, ok: boolean): void }, n = OPTIONS.consecutiveFailures): void {
  for (let i = 0; i < n; i++) b.record(K, false);
}

describe("Redis down", () => {
  it("never reachable: breakers serve from this instance, the limiter fails open, onError is called, nothing throws", async () => {
    env = new RedisTestEnv();
    const errors: unknown[] = [];
    const redis = env.unconnected(DEAD_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const breakers = new RedisCircuitBreakers({ redis, prefix: env.prefix, options: OPTIONS, onError: (e) => errors.push(e) });
    const limiter = new RedisUpstreamLimiter({ redis, prefix: env.prefix, onError: (e) => errors.push(e) });
    toClose.push(breakers, limiter);

    expect(await breakers.ready()).toBe(false);
    expect(breakers.degraded).toBe(true);
    expect(breakers.allow(K)).toBe(true);
    fail(breakers);
    expect(breakers.allow(K)).toBe(false);
    expect(breakers.snapshot(K)).toMatchObject({ state: "open", consecutiveFailures: 3 });
    expect(breakers.allow("other/model")).toBe(true);

    const results = await Promise.all(Array.from({ length: 5 }, () => limiter.tryAcquire(K, { rpm: 10 }, 100)));
    expect(results).toEqual([true, true, true, true, true]);
    expect(() => limiter.settle(K, 100, 50)).not.toThrow();

    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    // Reported once per outage (then every 10 s at most), not once per reconnection attempt or request.
    expect(errors.length).toBeLessThanOrEqual(2);
  });

  it("lost mid-test: shared state before, this instance's view after, never a throw", async () => {
    env = new RedisTestEnv();
    const errors: unknown[] = [];
    const redis = await env.client({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const breakers = new RedisCircuitBreakers({ redis, prefix: env.prefix, options: OPTIONS, onError: (e) => errors.push(e) });
    const limiter = new RedisUpstreamLimiter({ redis, prefix: env.prefix, onError: (e) => errors.push(e) });
    toClose.push(breakers, limiter);
    expect(await breakers.ready()).toBe(true);

    fail(breakers, 2);
    expect(await limiter.tryAcquire(K, { rpm: 3 }, 1)).toBe(true);
    await vi.waitFor(() => expect(breakers.snapshot(K).consecutiveFailures).toBe(2));

    await redis.quit();
    // The breakers' local view saw the two failures all along: one more opens the circuit here.
    fail(breakers, 1);
    await vi.waitFor(() => expect(breakers.degraded).toBe(true));
    expect(breakers.allow(K)).toBe(false);
    // Fails open, to this instance's own count (which starts afresh): never stricter than the shared limit.
    expect(await Promise.all([1, 2, 3, 4].map(() => limiter.tryAcquire(K, { rpm: 3 }, 1)))).toEqual([true, true, true, false]);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2)); // one from each component
    expect(errors.length).toBeLessThanOrEqual(4);
  });

  it("a hung Redis costs tryAcquire at most its timeout, then nothing until retried", async () => {
    env = new RedisTestEnv();
    // Accepts connections, answers the client's hello (CLIENT SETINFO), then nothing: a Redis that hangs
    // (pausing the real one would disturb the other tests sharing it).
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on("error", () => {});
      s.on("data", (d) => { for (const _ of d.toString().matchAll(/SETINFO/g)) s.write("+OK\r\n"); });
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const errors: unknown[] = [];
    try {
      const { port } = silent.address() as AddressInfo;
      const redis = env.unconnected(`redis://127.0.0.1:${port}`, { enableReadyCheck: false });
      await new Promise((r) => redis.once("ready", r));
      const limiter = new RedisUpstreamLimiter({ redis, prefix: env.prefix, timeoutMs: 100, onError: (e) => errors.push(e) });
      toClose.push(limiter);
      let start = performance.now();
      expect(await limiter.tryAcquire(K, { rpm: 10 }, 1)).toBe(true);
      expect(performance.now() - start).toBeLessThan(400);
      start = performance.now();
      expect(await limiter.tryAcquire(K, { rpm: 10 }, 1)).toBe(true);
      expect(performance.now() - start).toBeLessThan(20); // not tried again for a second
      expect(errors).toHaveLength(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe("createHealth", () => {
  it("without Redis: in-memory breakers and limiter", async () => {
    env = new RedisTestEnv();
    const health = createHealth({ breaker: OPTIONS });
    toClose.push(health);
    expect(await health.ready).toBe(true);
    fail(health.breakers);
    expect(health.breakers.allow(K)).toBe(false);
    expect(await health.limiter.tryAcquire(K, { rpm: 1 }, 0)).toBe(true);
    expect(await health.limiter.tryAcquire(K, { rpm: 1 }, 0)).toBe(false);
  });

  it("with Redis: two gateways share circuits and limits; close leaves no connection behind", async () => {
    env = new RedisTestEnv();
    const name = `liaison-test-health-${env.prefix}`;
    const connectionsNamed = async () => ((await (await env.admin()).client("LIST")) as string).split("\n").filter((l) => l.includes(name)).length;
    const make = (): Health => createHealth({ redisUrl: `${REDIS_URL}?connectionName=${encodeURIComponent(name)}`, prefix: env.prefix, breaker: OPTIONS });
    const one = make();
    const two = make();
    toClose.push(one, two);
    expect(await one.ready).toBe(true);
    expect(await two.ready).toBe(true);
    expect(await connectionsNamed()).toBe(4);

    expect(two.breakers.allow(K)).toBe(true);
    fail(one.breakers);
    await vi.waitFor(() => expect(two.breakers.allow(K)).toBe(false), { timeout: 1_000, interval: 5 });
    expect(await one.limiter.tryAcquire(K, { rpm: 1 }, 0)).toBe(true);
    expect(await two.limiter.tryAcquire(K, { rpm: 1 }, 0)).toBe(false);

    await Promise.all(toClose.splice(0).map((c) => c.close()));
    await vi.waitFor(async () => expect(await connectionsNamed()).toBe(0));
  });

  it("with a dead Redis: ready is false, onError is called, the gateway serves, close is quick", async () => {
    env = new RedisTestEnv();
    const errors: unknown[] = [];
    const health = createHealth({ redisUrl: DEAD_URL, prefix: env.prefix, breaker: OPTIONS, onError: (e) => errors.push(e) });
    expect(await health.ready).toBe(false);
    expect(health.breakers.allow(K)).toBe(true);
    fail(health.breakers);
    expect(health.breakers.allow(K)).toBe(false);
    expect(await health.limiter.tryAcquire(K, { rpm: 5 }, 10)).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    const start = performance.now();
    await health.close();
    expect(performance.now() - start).toBeLessThan(200);
  });
});
