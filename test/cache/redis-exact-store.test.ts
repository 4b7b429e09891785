/** The shared exact store on real Redis: round trip, TTL, corrupt values, Redis down, two instances. */
import { afterEach, describe, expect, it } from "vitest";
import { RedisExactStore } from "../../src/cache/redis-exact-store.js";
import { ResponseCache } from "../../src/cache/response-cache.js";
import { answerFromResponse } from "../../src/cache/answer.js";
import type { CacheErrorSite } from "../../src/cache/exact-store.js";
import { RedisTestEnv } from "../engine/health/redis-test-env.js";
import { answer, chat, response } from "./helpers.js";

let env: RedisTestEnv;
afterEach(async () => {
  await env.cleanup();
});

async function storeOn(errors: CacheErrorSite[] = []): Promise<RedisExactStore> {
  return new RedisExactStore({ redis: await env.client(), prefix: env.prefix, maxEntryBytes: 100_000, onError: (_e, site) => errors.push(site) });
}

describe("RedisExactStore", () => {
  it("stores and reads an answer under the prefix, with the TTL in Redis", async () => {
    env = new RedisTestEnv();
    const store = await storeOn();
    expect(await store.set("team=a:abc", answer("hello"), 60_000)).toBe(true);
    expect(await store.get("team=a:abc")).toEqual(answer("hello"));
    expect(await store.get("team=a:other")).toBeUndefined();
    const admin = await env.admin();
    const pttl = await admin.pttl(`${env.prefix}cache:x:team=a:abc`);
    expect(pttl).toBeGreaterThan(59_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await store.close();
  });

  it("misses once the TTL has passed", async () => {
    env = new RedisTestEnv();
    const store = await storeOn();
    await store.set("k", answer("soon gone"), 50);
    await new Promise((r) => setTimeout(r, 120));
    expect(await store.get("k")).toBeUndefined();
  });

  it("skips answers over max_entry_bytes", async () => {
    env = new RedisTestEnv();
    const store = await storeOn();
    expect(await store.set("k", answer("z".repeat(200_000)), 60_000)).toBe(false);
    expect(await env.keys()).toEqual([]);
  });

  it("turns a corrupt or foreign value into a miss and removes it", async () => {
    env = new RedisTestEnv();
    const errors: CacheErrorSite[] = [];
    const store = await storeOn(errors);
    const admin = await env.admin();
    for (const bad of ["garbage", "{\"v\":99}", JSON.stringify({ v: 1, response: "no" })]) {
      await admin.set(`${env.prefix}cache:x:k`, bad);
      expect(await store.get("k")).toBeUndefined();
      expect(await admin.exists(`${env.prefix}cache:x:k`)).toBe(0);
    }
    expect(errors).toEqual(["exact-get", "exact-get", "exact-get"]);
  });

  it("treats a wrong-type key as a miss, not an error", async () => {
    env = new RedisTestEnv();
    const errors: CacheErrorSite[] = [];
    const store = await storeOn(errors);
    await (await env.admin()).hset(`${env.prefix}cache:x:k`, "f", "v");
    expect(await store.get("k")).toBeUndefined();
    expect(errors).toEqual(["exact-get"]);
  });

  it("with Redis down (closed port), misses quickly and never throws", async () => {
    env = new RedisTestEnv();
    const errors: CacheErrorSite[] = [];
    const store = new RedisExactStore({ redis: "redis://127.0.0.1:1", prefix: env.prefix, maxEntryBytes: 100_000, onError: (_e, site) => errors.push(site) });
    const started = performance.now();
    expect(await store.get("k")).toBeUndefined();
    expect(await store.set("k", answer("x"), 1_000)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    expect(errors).toEqual(["exact-get", "exact-set"]);
    await store.close();
  });

  it("opens its own client from a URL and closes it", async () => {
    env = new RedisTestEnv();
    const store = new RedisExactStore({ redis: "redis://127.0.0.1:6379", prefix: env.prefix, maxEntryBytes: 100_000 });
    // The client connects in the background; until then a lookup is a miss.
    await expect.poll(() => store.set("k", answer("own client"), 60_000), { timeout: 3_000 }).toBe(true);
    expect((await store.get("k"))!.response.choices[0]!.message.content).toBe("own client");
    await store.close();
  });

  it("lets two gateway instances share entries", async () => {
    env = new RedisTestEnv();
    const instanceA = new ResponseCache({ exact: new RedisExactStore({ redis: await env.client(), prefix: env.prefix, maxEntryBytes: 100_000 }), defaultTtlMs: 60_000 });
    const instanceB = new ResponseCache({ exact: new RedisExactStore({ redis: await env.client(), prefix: env.prefix, maxEntryBytes: 100_000 }), defaultTtlMs: 60_000 });
    const o = { model: "smart", namespace: "team=a", mode: "normal" as const };

    const miss = await instanceA.lookup(chat("shared?"), o);
    expect(miss.status).toBe("miss");
    await miss.store!(answerFromResponse(response("yes, shared"), { provider: "openai", upstreamModel: "gpt-4o", costUsd: 0.001 }));

    const hit = await instanceB.lookup(chat("shared?", { stream: true, user: "someone-else" }), o);
    expect(hit.status).toBe("hit");
    expect(hit.answer!.response.choices[0]!.message.content).toBe("yes, shared");
    expect((await instanceB.lookup(chat("shared?"), { ...o, namespace: "team=b" })).status).toBe("miss");
    await Promise.all([instanceA.close(), instanceB.close()]);
  });
});
