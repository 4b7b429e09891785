/**
 * The shared exact store: one Redis for every gateway instance, so an answer
 * paid for by one is a hit on all. Redis is an optimisation here, never a
 * dependency: any failure (down, slow, a value we cannot read) is a miss.
 */
import type { Redis } from "ioredis";
import { decodeAnswer, encodeAnswer, type CachedAnswer } from "./answer.js";
import type { CacheErrorHook, ExactStore } from "./exact-store.js";
import { withDeadline } from "../core/redis-script.js";
import { redisHandle, type RedisHandle } from "./redis-client.js";

export interface RedisExactStoreOptions {
  /** A redis:// URL (the store opens and owns a client) or a client to borrow. */
  redis: Redis | string;
  /** Key prefix, e.g. the config's `redis.prefix` (`liaison:`); entries live under `<prefix>cache:x:`. */
  prefix: string;
  maxEntryBytes: number;
  /** Per-command deadline; default 1000 ms. */
  timeoutMs?: number;
  onError?: CacheErrorHook;
}

export class RedisExactStore implements ExactStore {
  readonly kind = "redis";
  readonly #handle: RedisHandle;
  readonly #prefix: string;
  readonly #maxEntryBytes: number;
  readonly #timeoutMs: number;
  readonly #onError: CacheErrorHook;

  constructor(options: RedisExactStoreOptions) {
    this.#handle = redisHandle(options.redis);
    this.#prefix = `${options.prefix}cache:x:`;
    this.#maxEntryBytes = options.maxEntryBytes;
    this.#timeoutMs = options.timeoutMs ?? 1_000;
    this.#onError = options.onError ?? (() => {});
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    const redisKey = this.#prefix + key;
    let text: string | null;
    try {
      text = await withDeadline(this.#handle.redis.get(redisKey), this.#timeoutMs);
    } catch (err) {
      this.#onError(err, "exact-get");
      return undefined;
    }
    if (text === null) return undefined;
    const answer = decodeAnswer(text);
    if (answer === undefined) {
      // Written by a newer or broken writer: drop it, so the next answer replaces it instead of missing forever.
      this.#onError(new Error(`Unreadable cache entry ${redisKey} removed`), "exact-get");
      await withDeadline(this.#handle.redis.del(redisKey), this.#timeoutMs).catch(() => {});
    }
    return answer;
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    const text = encodeAnswer(answer);
    if (Buffer.byteLength(text) > this.#maxEntryBytes || ttlMs <= 0) return false;
    try {
      await withDeadline(this.#handle.redis.set(this.#prefix + key, text, "PX", Math.ceil(ttlMs)), this.#timeoutMs);
      return true;
    } catch (err) {
      this.#onError(err, "exact-set");
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#handle.release();
  }
}
