/** The QuotaGate contract against memory and a real Redis, and two Redis gates sharing one Redis. */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Admission, Admitted, QuotaGate, QuotaSubject, Refused } from "../../../src/engine/quotas/limits.js";
import { MemoryQuotaGate } from "../../../src/engine/quotas/memory-quota-gate.js";
import { RedisQuotaGate } from "../../../src/engine/quotas/redis-quota-gate.js";
import { limitError } from "../../../src/engine/quotas/quota-errors.js";
import { RedisTestEnv, awayFromMinuteEdge } from "../health/redis-test-env.js";

let env: RedisTestEnv | undefined;
const opened: QuotaGate[] = [];
const redisErrors: unknown[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.close()));
  await env?.cleanup();
  env = undefined;
  expect(redisErrors.splice(0)).toEqual([]);
});

async function redisGate(settings: { leaseMs?: number } = {}): Promise<RedisQuotaGate> {
  env ??= new RedisTestEnv();
  const g = new RedisQuotaGate({ redis: await env.client(), prefix: env.prefix, onError: (e) => redisErrors.push(e), ...settings });
  opened.push(g);
  return g;
}

const backends: [string, () => Promise<QuotaGate>][] = [
  ["memory", async () => new MemoryQuotaGate()],
  ["redis", () => redisGate()],
];

const key = (limits: QuotaSubject["limits"], id = "key:k1"): QuotaSubject => ({ id, limits });

function admitted(a: Admission): Admitted {
  if (!a.ok) throw new Error(`refused: ${JSON.stringify(a)}`);
  return a;
}

function refused(a: Admission): Refused {
  if (a.ok) throw new Error("admitted");
  return a;
}

describe.each(backends)("QuotaGate contract: %s", (_name, make) => {
  async function gate(): Promise<QuotaGate> {
    await awayFromMinuteEdge();
    const g = await make();
    opened.push(g);
    return g;
  }

  it("rpm is exact: limit 10 → 10 of 40 concurrent admitted", async () => {
    const g = await gate();
    const results = await Promise.all(Array.from({ length: 40 }, () => g.admit([key({ rpm: 10 })], 0)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const no = refused(results.find((r) => !r.ok)!);
    expect(no).toMatchObject({ subject: "key:k1", limit: "rpm", limitValue: 10, requested: 1 });
    expect(no.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(no.headers["x-ratelimit-remaining-requests"]).toBe("0");
  });

  it("without limits admits everything and sends no headers", async () => {
    const g = await gate();
    for (let i = 0; i < 20; i++) expect(admitted(await g.admit([key({}), key({ models: ["x"] }, "team:t")], 1e9)).headers).toEqual({});
  });

  it("tpm reserves the estimate and settles to the actual usage", async () => {
    const g = await gate();
    const s = [key({ tpm: 1_000 })];
    const first = admitted(await g.admit(s, 600));
    expect(refused(await g.admit(s, 600))).toMatchObject({ limit: "tpm", limitValue: 1_000, requested: 600 });
    first.release(200); // 200 used, 400 given back
    await expect.poll(async () => {
      const a = await g.admit(s, 600);
      return a.ok;
    }).toBe(true); // 800
    expect(refused(await g.admit(s, 201)).limit).toBe("tpm");
    expect(admitted(await g.admit(s, 200)).headers["x-ratelimit-remaining-tokens"]).toBe("0");
  });

  it("a request larger than tpm can never fit", async () => {
    const g = await gate();
    const no = refused(await g.admit([key({ tpm: 100 })], 101));
    expect(no.requested).toBeGreaterThan(no.limitValue);
    expect(limitError(no).message).toMatch(/Request too large/);
  });

  it("parallel slots: N held → the N+1th is refused; release frees one; a second release does nothing", async () => {
    const g = await gate();
    const s = [key({ maxParallel: 3 })];
    const held = await Promise.all([1, 2, 3].map(() => g.admit(s, 0)));
    expect(held.every((a) => a.ok)).toBe(true);
    expect(refused(await g.admit(s, 0))).toMatchObject({ limit: "parallel", limitValue: 3 });
    admitted(held[0]!).release(0);
    admitted(held[0]!).release(0);
    await expect.poll(async () => {
      const a = await g.admit(s, 0);
      return a.ok;
    }).toBe(true);
    // Released twice, freed once: all three slots are taken again.
    expect(refused(await g.admit(s, 0)).limit).toBe("parallel");
  });

  it("all or nothing: a full team leaves the key's counts untouched", async () => {
    const g = await gate();
    const k = key({ rpm: 3, tpm: 1_000, maxParallel: 10 });
    const team = key({ rpm: 2 }, "team:t1");
    admitted(await g.admit([k, team], 100));
    admitted(await g.admit([k, team], 100));
    const no = refused(await g.admit([k, team], 100));
    expect(no).toMatchObject({ subject: "team:t1", limit: "rpm" });
    // The key took 2 requests and 200 tokens, not 3 and 300.
    const third = admitted(await g.admit([k], 100));
    expect(third.headers).toMatchObject({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-remaining-tokens": "700" });
    expect(refused(await g.admit([k], 0)).limit).toBe("rpm");
  });

  it("all or nothing for parallel slots too", async () => {
    const g = await gate();
    const k = key({ maxParallel: 2 });
    const team = key({ maxParallel: 1 }, "team:t1");
    const a = admitted(await g.admit([k, team], 0));
    expect(refused(await g.admit([k, team], 0))).toMatchObject({ subject: "team:t1", limit: "parallel" });
    // The key still has one free slot besides the one the first request holds.
    const b = admitted(await g.admit([k], 0));
    expect(refused(await g.admit([k], 0))).toMatchObject({ subject: "key:k1", limit: "parallel" });
    a.release(0);
    b.release(0);
  });

  it("a subject listed twice is counted once", async () => {
    const g = await gate();
    const s = [key({ rpm: 2, maxParallel: 2 }), key({ rpm: 2, maxParallel: 2 })];
    expect((await g.admit(s, 0)).ok).toBe(true);
    expect((await g.admit(s, 0)).ok).toBe(true);
    expect(refused(await g.admit(s, 0)).limit).toBe("rpm");
  });

  it("headers follow OpenAI's names and describe the tightest subject", async () => {
    const g = await gate();
    const a = admitted(await g.admit([key({ rpm: 100, tpm: 50_000 }), key({ rpm: 10, tpm: 90_000 }, "team:t1")], 1_000));
    expect(Object.keys(a.headers).sort()).toEqual([
      "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
      "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
    ]);
    expect(a.headers).toMatchObject({
      "x-ratelimit-limit-requests": "10", "x-ratelimit-remaining-requests": "9",
      "x-ratelimit-limit-tokens": "50000", "x-ratelimit-remaining-tokens": "49000",
    });
    // Time until the window forgets this request: the rest of this minute plus the next one.
    expect(a.headers["x-ratelimit-reset-requests"]).toMatch(/^1m\d+(\.\d+)?s$|^2m0s$/);
  });
});

describe("MemoryQuotaGate with a clock", () => {
  it("retry-after and reset times follow the sliding window", async () => {
    let t = 60_000 * 10_000 + 15_000; // 15 s into a minute
    const g = new MemoryQuotaGate({ now: () => t });
    const s = [key({ rpm: 10 })];
    for (let i = 0; i < 10; i++) admitted(await g.admit(s, 0));
    const no = refused(await g.admit(s, 0));
    // The next minute starts in 45 s; there the 10 weigh 10·(1 − e/60 s) and fit 9 at e = 6 s.
    expect(no.retryAfterSeconds).toBe(51);
    expect(no.headers).toMatchObject({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1m45s" });
    t += 51_000;
    admitted(await g.admit(s, 0));
    expect(refused(await g.admit(s, 0)).limit).toBe("rpm");
    t += 120_000; // two idle minutes: everything forgotten
    const fresh = admitted(await g.admit(s, 0));
    expect(fresh.headers["x-ratelimit-remaining-requests"]).toBe("9");
  });

  it("tokens given back after the window moved on come off the window they were reserved in", async () => {
    let t = 60_000 * 10_000 + 50_000;
    const g = new MemoryQuotaGate({ now: () => t });
    const s = [key({ tpm: 1_000 })];
    const a = admitted(await g.admit(s, 900));
    t += 20_000; // next minute, 10 s in: the 900 weigh 900 · 5/6 = 750
    expect(refused(await g.admit(s, 300)).limit).toBe("tpm");
    a.release(100); // 800 given back from the previous window
    expect(admitted(await g.admit(s, 800)).ok).toBe(true);
  });
});

describe("Two RedisQuotaGates on one Redis", () => {
  it("admit the limit in total, not twice it", async () => {
    await awayFromMinuteEdge();
    const a = await redisGate();
    const b = await redisGate();
    const s = [key({ rpm: 10 }), key({ maxParallel: 7 }, "team:t1")];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).admit(s, 0)));
    const ok = results.filter((r): r is Admitted => r.ok);
    expect(ok).toHaveLength(7); // the team's 7 parallel slots bind first
    for (const r of ok) r.release(0);
    await expect.poll(async () => (await a.admit(s, 0)).ok).toBe(true);
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).admit(s, 0)));
    expect(more.filter((r) => r.ok)).toHaveLength(2); // 10 rpm in all: 7 + 1 + 2
  });

  it("a crashed instance's parallel slots come back after the lease; a live one keeps them by renewing", async () => {
    const a = await redisGate({ leaseMs: 3_000 });
    const b = await redisGate({ leaseMs: 3_000 });
    const s = [key({ maxParallel: 1 })];
    const held = admitted(await a.admit(s, 0));
    await sleep(4_000); // longer than the lease: a's renewals keep the slot
    expect(refused(await b.admit(s, 0)).limit).toBe("parallel");
    await a.close(); // stops renewing without releasing: what a crash leaves behind
    await expect.poll(async () => (await b.admit(s, 0)).ok, { timeout: 6_000, interval: 250 }).toBe(true);
    held.release(0);
  });
});
