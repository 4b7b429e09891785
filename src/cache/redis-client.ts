/**
 * The Redis plumbing the shared cache backends have in common: a fail-fast
 * client, owned or borrowed (deadlines and Lua are in core/redis-script.ts).
 */
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
