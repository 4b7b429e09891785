/**
 * The `cache:` section: exact and semantic response caching.
 * Off unless enabled; every bound has a default so `cache: { enabled: true }`
 * is a complete configuration.
 */
import { z } from "zod";

const seconds = z.number().int().positive();

export const CACHE_BACKENDS = ["auto", "memory", "redis"] as const;
export const SEMANTIC_BACKENDS = ["auto", "memory", "redis", "postgres"] as const;

export const cacheModelSchema = z.strictObject({
  enabled: z.boolean().optional(),
  ttl_seconds: seconds.optional(),
  /** false: exact matches only for this model. */
  semantic: z.boolean().optional(),
});

export const semanticCacheSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** A model the gateway routes for embeddings, e.g. openai/text-embedding-3-small. */
  embedding_model: z.string().min(1).optional(),
  /** Minimum cosine similarity for a hit. Depends on the embedding model: measure on your own traffic. */
  threshold: z.number().gt(0).max(1).default(0.9),
  /** Bound on vectors kept (memory and PostgreSQL in total; each instance's mirror of a shared index). */
  max_entries: z.number().int().positive().default(10_000),
  /** Bound per scope (same route, system prompt, history, tools and parameters); the oldest go first. */
  max_entries_per_scope: z.number().int().positive().max(5_000).default(1_000),
  /** An embedding call slower than this is abandoned: the request goes upstream. */
  embed_timeout_ms: z.number().int().positive().default(5_000),
  /** auto: postgres when storage is PostgreSQL, else redis when redis.url is set, else memory. */
  backend: z.enum(SEMANTIC_BACKENDS).default("auto"),
}).refine((s) => !s.enabled || s.embedding_model !== undefined, {
  message: "embedding_model is required when the semantic cache is enabled",
  path: ["embedding_model"],
});

export const cacheSchema = z.strictObject({
  enabled: z.boolean().default(false),
  ttl_seconds: seconds.default(3_600),
  /** Longest TTL a client may ask for with x-liaison-cache-ttl (longer asks are cut to this). */
  max_ttl_seconds: seconds.default(7 * 24 * 3_600),
  /** auto: redis when redis.url is set (shared by every instance), else memory. */
  backend: z.enum(CACHE_BACKENDS).default("auto"),
  /** Memory backend: bound on the bytes of all entries. */
  max_bytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Larger answers are not cached. */
  max_entry_bytes: z.number().int().positive().default(1024 * 1024),
  /** true: one namespace for all teams (only when every team may see every other team's answers). */
  shared: z.boolean().default(false),
  /** Per route name (after aliases). */
  models: z.record(z.string().min(1), cacheModelSchema).default({}),
  semantic: semanticCacheSchema.prefault({}),
}).refine((c) => c.max_entry_bytes <= c.max_bytes, {
  message: "max_entry_bytes must not exceed max_bytes",
  path: ["max_entry_bytes"],
}).prefault({});

export type CacheConfig = z.infer<typeof cacheSchema>;
