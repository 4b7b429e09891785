/**
 * The Redis plumbing the shared cache backends have in common: a fail-fast
 * client (owned or borrowed), a per-command deadline, and binary-safe Lua.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { newRedisClient } from "../core/redis-options.js";

export interface RedisHandle {
  redis: Redis;
  /** Quits the client if this handle created it; a borrowed client is left to its owner. */
  release(): Promise<void>;
}

/** A URL opens a client of our own (fail-fast options, connecting in the background); a client is borrowed. */
export function redisHandle(source: Redis | string): RedisHandle {
  if (typeof source !== "string") return { redis: source, release: async () => {} };
  const redis = newRedisClient(source);
  // Errors surface on the commands that fail (as misses); the client's own
  // 'error' events would otherwise be unhandled and end the process.
  redis.on("error", () => {});
  redis.connect().catch(() => {});
  let released = false;
  return {
    redis,
    release: async () => {
      if (released) return;
      released = true;
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

/**
 * A borrowed client may have no command timeout; a hung Redis must still
 * turn into a miss within `ms`, not hold the request.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A script run by digest, loaded again when the server forgot it (restart,
 * SCRIPT FLUSH). Unlike the health module's runner it takes and returns
 * Buffers: vectors are binary.
 */
export class BinaryLuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    try {
      // callBuffer: replies stay Buffers (evalsha would decode them as UTF-8 text).
      return await redis.callBuffer("evalsha", [this.#sha, keys.length, ...keys, ...args]);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return await redis.callBuffer("eval", [this.#source, keys.length, ...keys, ...args]);
    }
  }
}
