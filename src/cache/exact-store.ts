import type { CachedAnswer } from "./answer.js";

/** Where exact entries live. Implementations never throw from get/set: a broken cache is a miss, not an error. */
export interface ExactStore {
  readonly kind: "memory" | "redis";
  get(key: string): Promise<CachedAnswer | undefined>;
  /** Entries larger than the store's per-entry limit are skipped (resolves false). */
  set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Where a cache component reports a failure it recovered from (for logs and metrics). */
export type CacheErrorSite = "exact-get" | "exact-set" | "semantic-search" | "semantic-add" | "embed";
export type CacheErrorHook = (err: unknown, site: CacheErrorSite) => void;
