import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RedisCircuitBreakers, type RedisBreakersSettings } from "../../../src/engine/health/redis-breakers.js";
import type { BreakerOptions } from "../../../src/engine/health/types.js";
import type { RedisOptions } from "ioredis";
import { RedisTestEnv } from "./redis-test-env.js";

const OPTIONS: BreakerOptions = { consecutiveFailures: 3, errorRate: 0.5, minRequests: 10, windowMs: 10_000, cooldownMs: 300, halfOpenProbes: 1 };
const K = "openai/gpt-4o";

let env: RedisTestEnv;
const opened: RedisCircuitBreakers[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
  await env.cleanup();
});

interface Instance {
  breakers: RedisCircuitBreakers;
  changes: string[];
  errors: unknown[];
}

async function instance(options: Partial<BreakerOptions> = {}, settings: Partial<RedisBreakersSettings> = {}, client: RedisOptions = {}): Promise<Instance> {
  const changes: string[] = [];
  const errors: unknown[] = [];
  const breakers = new RedisCircuitBreakers({
    redis: await env.client(client),
    prefix: env.prefix,
    options: { ...OPTIONS, ...options },
    onChange: (key, from, to) => changes.push(`${key}:${from}→${to}`),
    onError: (err) => errors.push(err),
    ...settings,
  });
  opened.push(breakers);
  expect(await breakers.ready()).toBe(true);
  return { breakers, changes, errors };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, returning how long it took. */
async function within(ms: number, check: () => boolean): Promise<number> {
  const start = performance.now();
  await vi.waitFor(() => { if (!check()) throw new Error("not yet"); }, { timeout: ms, interval: 2 });
  return performance.now() - start;
}

async function openOn(i: Instance, key = K): Promise<void> {
  for (let n = 0; n < OPTIONS.consecutiveFailures; n++) i.breakers.record(key, false);
  await within(1_000, () => i.breakers.snapshot(key).state === "open");
}

/** Polls allow() on every instance until the cooldown has passed and then some; counts the yeses per instance. */
async function probeFor(ms: number, ...all: Instance[]): Promise<number[]> {
  const yes = all.map(() => 0);
  const end = performance.now() + ms;
  while (performance.now() < end) {
    all.forEach((i, n) => { if (i.breakers.allow(K)) yes[n]!++; });
    await sleep(2);
  }
  return yes;
}

describe("RedisCircuitBreakers", () => {
  it("failures recorded on A open the circuit on B within ~100 ms", async () => {
    env = new RedisTestEnv();
    const a = await instance();
    const b = await instance();
    expect(b.breakers.allow(K)).toBe(true);
    await openOn(a);
    const ms = await within(1_000, () => !b.breakers.allow(K));
    expect(ms).toBeLessThan(100);
    expect(b.breakers.snapshot(K)).toMatchObject({ state: "open", consecutiveFailures: 3 });
    expect(b.breakers.snapshot(K).retryAt).toBeGreaterThan(Date.now());
    expect(b.changes).toEqual([`${K}:closed→open`]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("half-open: one probe across both instances; its success closes the circuit everywhere", async () => {
    env = new RedisTestEnv();
    const a = await instance();
    const b = await instance();
    await openOn(a);
    await within(1_000, () => b.breakers.snapshot(K).state === "open");
    const yes = await probeFor(OPTIONS.cooldownMs + 300, a, b);
    expect(yes[0]! + yes[1]!).toBe(1);
    const prober = yes[0] ? a : b;
    const other = yes[0] ? b : a;
    expect(other.breakers.snapshot(K).state).toBe("half_open");

    prober.breakers.record(K, true);
    const ms = await within(1_000, () => other.breakers.allow(K));
    expect(ms).toBeLessThan(100);
    expect(other.breakers.snapshot(K)).toMatchObject({ state: "closed", requests: 0, consecutiveFailures: 0 });
    expect(other.changes).toEqual([`${K}:closed→open`, `${K}:open→half_open`, `${K}:half_open→closed`]);
  });

  it("half-open with 2 probes: at most 2 at once across three instances; a failed probe reopens with a doubled cooldown", async () => {
    env = new RedisTestEnv();
    const all = [await instance({ halfOpenProbes: 2 }), await instance({ halfOpenProbes: 2 }), await instance({ halfOpenProbes: 2 })];
    await openOn(all[0]!);
    const yes = await probeFor(OPTIONS.cooldownMs + 300, ...all);
    expect(yes.reduce((s, n) => s + n, 0)).toBe(2);

    all[yes.findIndex((n) => n > 0)]!.breakers.record(K, false);
    await within(1_000, () => all.every((i) => i.breakers.snapshot(K).state === "open"));
    const retryIn = all[2]!.breakers.snapshot(K).retryAt! - Date.now();
    expect(retryIn).toBeGreaterThan(OPTIONS.cooldownMs);
    expect(retryIn).toBeLessThanOrEqual(2 * OPTIONS.cooldownMs);
  });

  it("counts outcomes from concurrent instances exactly (one script per outcome)", async () => {
    env = new RedisTestEnv();
    const a = await instance({ consecutiveFailures: 1_000, minRequests: 1_000 });
    const b = await instance({ consecutiveFailures: 1_000, minRequests: 1_000 });
    for (let n = 0; n < 100; n++) (n % 2 ? a : b).breakers.record(K, false);
    await within(2_000, () => Math.max(a.breakers.snapshot(K).requests, b.breakers.snapshot(K).requests) === 100);
    const hash = await (await env.admin()).hgetall(`${env.prefix}cb:${K}`);
    expect(hash).toMatchObject({ st: "closed", cf: "100" });
  });

  it("opens on the error rate across instances", async () => {
    env = new RedisTestEnv();
    const a = await instance({ consecutiveFailures: 100 });
    const b = await instance({ consecutiveFailures: 100 });
    for (let n = 0; n < 10; n++) (n % 2 ? a : b).breakers.record(K, n % 3 === 1); // 3 ok, 7 failures, never 3 in a row
    await within(1_000, () => a.breakers.snapshot(K).state === "open" && b.breakers.snapshot(K).state === "open");
  });

  it("an instance that starts later learns of an open circuit on first use", async () => {
    env = new RedisTestEnv();
    const a = await instance({ cooldownMs: 60_000 });
    await openOn(a);
    const late = await instance({ cooldownMs: 60_000 });
    expect(late.breakers.allow(K)).toBe(true); // first sight: nothing known yet, asks Redis in the background
    await within(1_000, () => !late.breakers.allow(K));
  });

  it("snapshots show the shared counts, also for a circuit first seen missing", async () => {
    env = new RedisTestEnv();
    const a = await instance({ consecutiveFailures: 10 });
    const b = await instance({ consecutiveFailures: 10 });
    expect(a.breakers.snapshot(K).state).toBe("closed"); // first sight: read from Redis in the background
    await sleep(20);
    b.breakers.record(K, false);
    b.breakers.record(K, true);
    await within(1_000, () => b.breakers.snapshot(K).requests === 2);
    // Counts come with this instance's own replies (and with transitions): A's next report brings B's too.
    a.breakers.record(K, false);
    a.breakers.record(K, false);
    await within(1_000, () => a.breakers.snapshot(K).requests === 4);
    expect(a.breakers.snapshot(K)).toMatchObject({ state: "closed", consecutiveFailures: 2, errorRate: 0.75 });
  });

  it("re-reads the shared state after its connections drop, catching transitions it missed", async () => {
    env = new RedisTestEnv();
    const a = await instance({ cooldownMs: 60_000 });
    const name = `liaison-test-${randomUUID()}`;
    // A slow reconnection, so that A's transition is published while B is not listening.
    const b = await instance({ cooldownMs: 60_000 }, {}, { connectionName: name, retryStrategy: () => 300 });
    expect(b.breakers.allow(K)).toBe(true);
    await sleep(20);
    expect(await env.kill(name)).toBe(2); // B's command and subscriber connections
    await within(1_000, () => b.breakers.degraded);
    await openOn(a);
    expect(b.breakers.degraded).toBe(true); // the transition was published while B was away
    await within(5_000, () => !b.breakers.degraded && !b.breakers.allow(K));
    expect(b.breakers.snapshot(K).state).toBe("open");
  });

  it("leaves only expiring keys behind", async () => {
    env = new RedisTestEnv();
    const a = await instance();
    await openOn(a);
    await sleep(OPTIONS.cooldownMs + 10);
    while (!a.breakers.allow(K)) await sleep(2);
    const admin = await env.admin();
    const keys = (await env.keys()).sort();
    expect(keys).toEqual([`${env.prefix}cb:${K}`, `${env.prefix}cb:${K}:probes`]);
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
  });
});
