import { afterEach, describe, expect, it } from "vitest";
import { KeyCache, type ResolvedKey } from "../../src/keys/key-cache.js";
import type { ApiKeyRecord } from "../../src/store/keys/types.js";
import { RedisTestEnv } from "../engine/health/redis-test-env.js";

function resolved(id: string, team_id: string | null = null): ResolvedKey {
  return { key: { id, team_id, key_hash: `hash_${id}` } as ApiKeyRecord };
}

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("KeyCache (memory)", () => {
  it("keeps found keys for ttlMs and unknown ones for negativeTtlMs", () => {
    let now = 0;
    const cache = new KeyCache({ ttlMs: 1_000, negativeTtlMs: 100, now: () => now });
    cache.set("a", resolved("a"));
    cache.set("b", null);
    expect(cache.get("a")?.key.id).toBe("a");
    expect(cache.get("b")).toBeNull();
    expect(cache.get("c")).toBeUndefined();
    now = 100;
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("is bounded: the oldest entry goes first", () => {
    const cache = new KeyCache({ maxEntries: 2 });
    cache.set("a", null);
    cache.set("b", null);
    cache.set("c", null);
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toBeNull();
  });

  it("shares one load between concurrent callers and drops what an invalidation made stale", async () => {
    const cache = new KeyCache();
    let loads = 0;
    let release: (v: ResolvedKey) => void = () => {};
    const loader = () => { loads += 1; return new Promise<ResolvedKey | null>((r) => { release = r; }); };
    const a = cache.load("h", loader);
    const b = cache.load("h", loader);
    cache.invalidateKey("h"); // e.g. revoked while the read was in flight
    release(resolved("k"));
    expect((await a)?.key.id).toBe("k");
    expect(await b).toBe(await a);
    expect(loads).toBe(1);
    expect(cache.get("h")).toBeUndefined();
    await cache.load("h", async () => resolved("k2"));
    expect(cache.get("h")?.key.id).toBe("k2");
  });

  it("drops a team's keys on invalidateTeam, and everything on clear", () => {
    const cache = new KeyCache();
    cache.set("a", resolved("a", "t1"));
    cache.set("b", resolved("b", "t2"));
    cache.set("c", null);
    cache.invalidateTeam("t1");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("b")).toBeDefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe("KeyCache (Redis pub/sub)", () => {
  const env = new RedisTestEnv();
  const caches: KeyCache[] = [];
  afterEach(async () => {
    for (const c of caches.splice(0)) await c.close();
    await env.cleanup();
  });

  it("an invalidation on one instance reaches the others", async () => {
    const a = new KeyCache({ redis: await env.client(), prefix: env.prefix });
    const b = new KeyCache({ redis: await env.client(), prefix: env.prefix });
    caches.push(a, b);
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true);
    for (const c of [a, b]) {
      c.set("k1", resolved("k1", "t1"));
      c.set("k2", resolved("k2", "t2"));
      c.set("k3", resolved("k3"));
    }
    a.invalidateKey("k1");
    await until(() => b.get("k1") === undefined);
    expect(b.get("k2")).toBeDefined();
    a.invalidateTeam("t2");
    await until(() => b.get("k2") === undefined);
    expect(b.get("k3")).toBeDefined();
    b.clear();
    await until(() => a.size === 0);
  });

  it("drops everything after the subscriber reconnects (messages may have been missed)", async () => {
    const a = new KeyCache({ redis: await env.client({ connectionName: "kc-reconnect" }), prefix: env.prefix });
    caches.push(a);
    expect(await a.ready()).toBe(true);
    a.set("k", resolved("k"));
    expect(await env.kill("kc-reconnect")).toBeGreaterThan(0);
    await until(() => a.get("k") === undefined, 10_000);
  });

  it("keeps working on its TTL when Redis is unreachable, and says so once", async () => {
    const errors: unknown[] = [];
    let now = 0;
    const a = new KeyCache({ redis: env.unconnected("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 60_000 }), prefix: env.prefix, ttlMs: 500, now: () => now, onError: (e) => errors.push(e) });
    caches.push(a);
    expect(await a.ready()).toBe(false);
    a.set("k", resolved("k"));
    a.invalidateKey("other"); // the publish fails: reported, not thrown
    await until(() => errors.length >= 1);
    expect(a.get("k")).toBeDefined();
    now = 500;
    expect(a.get("k")).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
