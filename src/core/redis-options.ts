/**
 * ioredis options for every shared-state client (breakers, limits, budgets,
 * the key cache, the response cache): a dead Redis must fail fast, never
 * queue — commands are refused while disconnected (no offline queue), not
 * retried, and time out after a second — while the client keeps
 * reconnecting in the background.
 */
import { createRequire } from "node:module";
import type { Redis, RedisOptions } from "ioredis";

export const FAIL_FAST_REDIS_OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  retryStrategy: (times: number) => Math.min(times * 200, 5_000),
} as const;

const require = createRequire(import.meta.url);

/**
 * A client with the options above. ioredis (~40 modules, a few MB) is loaded
 * on the first call, synchronously through require: a gateway without Redis
 * never loads it.
 */
export function newRedisClient(url: string, overrides: RedisOptions = {}): Redis {
  const { Redis: Client } = require("ioredis") as typeof import("ioredis");
  return new Client(url, { ...FAIL_FAST_REDIS_OPTIONS, ...overrides });
}
