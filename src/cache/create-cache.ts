/**
 * The response cache a configuration asks for: which backends (`auto`
 * resolved against what the gateway has), with what bounds.
 */
import type { CacheConfig } from "../config/cache-schema.js";
import type { CacheErrorHook, ExactStore } from "./exact-store.js";
import { MemoryExactStore } from "./memory-exact-store.js";
import { MemorySemanticIndex } from "./memory-semantic-index.js";
import { PostgresSemanticIndex } from "./postgres-semantic-index.js";
import { RedisExactStore } from "./redis-exact-store.js";
import { RedisSemanticIndex } from "./redis-semantic-index.js";
import { ResponseCache, type EmbedFn } from "./response-cache.js";
import type { SemanticIndex } from "./semantic-index.js";

export interface CacheDeps {
  /** The config's `redis` section, when set. */
  redis?: { url: string; prefix: string };
  /** The storage URL when it is PostgreSQL. */
  postgresUrl?: string;
  /** Embeds with `cache.semantic.embedding_model` through the gateway's own providers. Required when semantic is enabled. */
  embed?: EmbedFn;
  onError?: CacheErrorHook;
  now?: () => number;
}

export function resolveBackends(config: CacheConfig, deps: Pick<CacheDeps, "redis" | "postgresUrl">): { exact: "memory" | "redis"; semantic: "memory" | "redis" | "postgres" } {
  const exact = config.backend === "auto" ? (deps.redis ? "redis" : "memory") : config.backend;
  const s = config.semantic.backend;
  const semantic = s === "auto" ? (deps.postgresUrl ? "postgres" : deps.redis ? "redis" : "memory") : s;
  if ((exact === "redis" || semantic === "redis") && !deps.redis) throw new Error("cache: the redis backend needs redis.url");
  if (semantic === "postgres" && !deps.postgresUrl) throw new Error("cache.semantic: the postgres backend needs storage.url to be a postgres:// URL");
  return { exact, semantic };
}

/** Undefined when `cache.enabled` is false. Throws on a configuration that names a backend it cannot have. */
export function createResponseCache(config: CacheConfig, deps: CacheDeps): ResponseCache | undefined {
  if (!config.enabled) return undefined;
  const backends = resolveBackends(config, deps);
  const onError = deps.onError;
  const common = { ...(onError ? { onError } : {}) };
  const now = deps.now;
  const exact: ExactStore = backends.exact === "redis"
    ? new RedisExactStore({ redis: deps.redis!.url, prefix: deps.redis!.prefix, maxEntryBytes: config.max_entry_bytes, ...common })
    : new MemoryExactStore({ maxBytes: config.max_bytes, maxEntryBytes: config.max_entry_bytes, ...(now ? { now } : {}) });
  let semantic: ConstructorParameters<typeof ResponseCache>[0]["semantic"];
  if (config.semantic.enabled) {
    if (!deps.embed) throw new Error("cache.semantic is enabled but no embedding function was provided");
    const bounds = { maxEntries: config.semantic.max_entries, maxEntriesPerScope: config.semantic.max_entries_per_scope, ...(now ? { now } : {}), ...common };
    const index: SemanticIndex = backends.semantic === "postgres"
      ? new PostgresSemanticIndex({ postgres: deps.postgresUrl!, ...bounds })
      : backends.semantic === "redis"
        ? new RedisSemanticIndex({ redis: deps.redis!.url, prefix: deps.redis!.prefix, ...bounds })
        : new MemorySemanticIndex(bounds);
    semantic = { index, embed: deps.embed, threshold: config.semantic.threshold, embedTimeoutMs: config.semantic.embed_timeout_ms };
  }
  const models = config.models;
  return new ResponseCache({
    exact,
    ...(semantic ? { semantic } : {}),
    defaultTtlMs: config.ttl_seconds * 1000,
    policyFor: (model) => {
      const m = Object.hasOwn(models, model) ? models[model] : undefined;
      if (!m) return undefined;
      return {
        ...(m.enabled !== undefined ? { enabled: m.enabled } : {}),
        ...(m.ttl_seconds !== undefined ? { ttlMs: m.ttl_seconds * 1000 } : {}),
        ...(m.semantic !== undefined ? { semantic: m.semantic } : {}),
      };
    },
    ...common,
    ...(now ? { now } : {}),
  });
}
