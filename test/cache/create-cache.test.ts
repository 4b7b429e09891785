/** The `cache:` config section and the cache it builds. */
import { describe, expect, it } from "vitest";
import { cacheSchema } from "../../src/config/cache-schema.js";
import { createResponseCache, resolveBackends } from "../../src/cache/create-cache.js";
import { answerFromResponse } from "../../src/cache/answer.js";
import { RedisTestEnv } from "../engine/health/redis-test-env.js";
import { chat, lexicalEmbed, response } from "./helpers.js";

const o = { model: "smart", namespace: "global", mode: "normal" as const };

describe("cache config", () => {
  it("is off by default, with complete defaults", () => {
    expect(cacheSchema.parse(undefined)).toEqual({
      enabled: false, ttl_seconds: 3600, max_ttl_seconds: 604_800, backend: "auto", max_bytes: 67_108_864, max_entry_bytes: 1_048_576, shared: false, models: {},
      semantic: { enabled: false, threshold: 0.9, max_entries: 10_000, max_entries_per_scope: 1_000, embed_timeout_ms: 5_000, backend: "auto" },
    });
  });

  it("rejects unknown keys, a semantic cache without an embedding model, and inconsistent bounds", () => {
    expect(cacheSchema.safeParse({ enabled: true, ttl: 5 }).success).toBe(false);
    expect(cacheSchema.safeParse({ semantic: { enabled: true } }).error?.issues[0]?.path).toEqual(["semantic", "embedding_model"]);
    expect(cacheSchema.safeParse({ max_bytes: 10, max_entry_bytes: 20 }).success).toBe(false);
    expect(cacheSchema.safeParse({ semantic: { threshold: 1.5 } }).success).toBe(false);
    expect(cacheSchema.safeParse({ models: { smart: { ttl_seconds: 60, semantic: false } } }).success).toBe(true);
  });

  it("resolves auto backends from what the gateway has", () => {
    const cfg = cacheSchema.parse({ enabled: true });
    const redis = { url: "redis://127.0.0.1:6379", prefix: "liaison:" };
    expect(resolveBackends(cfg, {})).toEqual({ exact: "memory", semantic: "memory" });
    expect(resolveBackends(cfg, { redis })).toEqual({ exact: "redis", semantic: "redis" });
    expect(resolveBackends(cfg, { redis, postgresUrl: "postgres://x/y" })).toEqual({ exact: "redis", semantic: "postgres" });
    expect(resolveBackends(cacheSchema.parse({ backend: "memory", semantic: { backend: "memory" } }), { redis })).toEqual({ exact: "memory", semantic: "memory" });
    expect(() => resolveBackends(cacheSchema.parse({ backend: "redis" }), {})).toThrow(/redis\.url/);
    expect(() => resolveBackends(cacheSchema.parse({ semantic: { backend: "postgres" } }), {})).toThrow(/postgres/);
  });

  it("builds nothing when disabled, and a working cache when enabled", async () => {
    expect(createResponseCache(cacheSchema.parse({}), {})).toBeUndefined();
    const cache = createResponseCache(cacheSchema.parse({
      enabled: true, models: { smart: { ttl_seconds: 1 }, off: { enabled: false } },
      semantic: { enabled: true, embedding_model: "mock/embed-lexical", threshold: 0.8 },
    }), { embed: lexicalEmbed })!;
    expect(cache.backends).toEqual({ exact: "memory", semantic: "memory" });
    const miss = await cache.lookup(chat("How do I reset my password?"), o);
    await miss.store!(answerFromResponse(response("link"), { provider: "p", upstreamModel: "m", costUsd: null }));
    expect((await cache.lookup(chat("I forgot my password, how do I reset it?"), o)).status).toBe("semantic-hit");
    expect((await cache.lookup(chat("x"), { ...o, model: "off" })).status).toBe("bypass");
    await cache.close();
  });

  it("builds Redis-backed stores from redis settings", async () => {
    const env = new RedisTestEnv();
    try {
      const cache = createResponseCache(cacheSchema.parse({ enabled: true, semantic: { enabled: true, embedding_model: "e" } }), {
        redis: { url: "redis://127.0.0.1:6379", prefix: env.prefix }, embed: lexicalEmbed,
      })!;
      expect(cache.backends).toEqual({ exact: "redis", semantic: "redis" });
      await cache.close();
    } finally {
      await env.cleanup();
    }
  });

  it("refuses a semantic cache without an embedding function", () => {
    expect(() => createResponseCache(cacheSchema.parse({ enabled: true, semantic: { enabled: true, embedding_model: "e" } }), {})).toThrow(/embedding/);
  });
});
