/**
 * The cache section is checked before anything starts: backends that need
 * Redis or PostgreSQL, the embedding model, per-model names — and, once
 * providers exist, that the embedding model can embed at all.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/config/load.js";
import { Engine } from "../../src/engine/engine.js";

const base = { logging: { requests: false }, providers: { demo: { type: "mock" }, claude: { type: "anthropic", api_key: "k" } } };
const problems = (cache: unknown, extra: Record<string, unknown> = {}): string => {
  try {
    validateConfig({ ...base, ...extra, cache });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.join("\n");
  }
  return "";
};

describe("cache config", () => {
  it("is off by default and complete with enabled: true", () => {
    expect(validateConfig(base).cache).toMatchObject({ enabled: false, ttl_seconds: 3600, backend: "auto", shared: false, semantic: { enabled: false } });
    expect(problems({ enabled: true })).toBe("");
  });

  it("names what is wrong, by key path", () => {
    expect(problems({ enabled: true, backend: "redis" })).toMatch(/^cache\.backend: 'redis' needs redis\.url/m);
    expect(problems({ enabled: true, semantic: { enabled: true } })).toMatch(/cache\.semantic\.embedding_model/);
    expect(problems({ enabled: true, semantic: { enabled: true, embedding_model: "nope" } })).toMatch(/cache\.semantic\.embedding_model: unknown model 'nope'/);
    expect(problems({ enabled: true, semantic: { enabled: true, embedding_model: "demo/embed-lexical", backend: "postgres" } })).toMatch(/cache\.semantic\.backend: 'postgres' needs storage\.url/);
    expect(problems({ enabled: true, models: { ghost: { ttl_seconds: 5 } } })).toMatch(/cache\.models\.ghost: unknown model/);
    expect(problems({ enabled: true, models: { fast: { ttl_seconds: 5 } } }, { aliases: { fast: "demo/echo" } })).toMatch(/'fast' is an alias of 'demo\/echo'/);
    expect(problems({ enabled: true, ttl_seconds: 0 })).toMatch(/cache\.ttl_seconds/);
    expect(problems({ enabled: true, surprise: 1 })).toMatch(/cache/);
  });

  it("refuses to start when the embedding model's providers cannot embed", async () => {
    const config = validateConfig({ ...base, cache: { enabled: true, semantic: { enabled: true, embedding_model: "claude/claude-haiku-4-5" } } });
    await expect(Engine.create(config)).rejects.toThrow(/cache\.semantic\.embedding_model: 'claude\/claude-haiku-4-5' has no target whose provider serves embeddings/);
    const ok = await Engine.create(validateConfig({ ...base, cache: { enabled: true, semantic: { enabled: true, embedding_model: "demo/embed-lexical" } } }));
    expect(ok.cache?.backends).toEqual({ exact: "memory", semantic: "memory" });
    await ok.close();
  });
});

describe("per-request TTL", () => {
  it("is capped at cache.max_ttl_seconds", async () => {
    const engine = await Engine.create(validateConfig({ ...base, cache: { enabled: true, max_ttl_seconds: 1 } }));
    try {
      const ask = () => engine.chat({ model: "demo/echo", messages: [{ role: "user", content: "capped?" }] }, { cache: { mode: "normal", write: true, ttlMs: 3_600_000 } });
      expect((await ask()).meta.cache).toBe("miss");
      expect((await ask()).meta.cache).toBe("hit");
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await ask()).meta.cache).toBe("miss");
    } finally {
      await engine.close();
    }
  });
});
