/**
 * ioredis options for every shared-state client (breakers, limits, budgets,
 * the key cache): a dead Redis must fail fast, never queue — commands are
 * refused while disconnected (no offline queue), not retried, and time out
 * after a second — while the client keeps reconnecting in the background.
 * Plain data, so core stays free of imports.
 */
export const FAIL_FAST_REDIS_OPTIONS = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  retryStrategy: (times: number) => Math.min(times * 200, 5_000),
} as const;
