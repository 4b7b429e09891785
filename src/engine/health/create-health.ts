/**
 * Circuit breakers and upstream limits for the engine: in memory by
 * default, shared through Redis when a URL is configured (DESIGN.md §3).
 */
import { DEFAULT_BREAKER_OPTIONS, type StateChangeListener } from "./breaker-policy.js";
import { MemoryCircuitBreakers } from "./memory-breakers.js";
import { RedisCircuitBreakers } from "./redis-breakers.js";
import type { BreakerOptions, CircuitBreakers, UpstreamLimiter } from "./types.js";
import { MemoryUpstreamLimiter, RedisUpstreamLimiter } from "./upstream-limiter.js";
import { newRedisClient } from "../../core/redis-options.js";

export interface HealthSettings {
  /** redis:// or rediss:// URL; without it all state is in this process. */
  redisUrl?: string;
  /** Prepended to every Redis key and channel. Default `liaison:`. */
  prefix?: string;
  breaker?: BreakerOptions;
  /** Redis became unreachable (reported once per outage, then every 10 s at most); the gateway keeps serving. */
  onError?: (err: unknown) => void;
  /** Redis answers again. */
  onRecover?: () => void;
  onChange?: StateChangeListener;
}

export interface Health {
  breakers: CircuitBreakers;
  limiter: UpstreamLimiter;
  /** Resolves once Redis is connected and subscribed (at once without Redis); false if it is not reachable yet. Never rejects. */
  ready: Promise<boolean>;
  close(): Promise<void>;
}


export function createHealth(settings: HealthSettings = {}): Health {
  const options = settings.breaker ?? DEFAULT_BREAKER_OPTIONS;
  if (!settings.redisUrl) {
    const breakers = new MemoryCircuitBreakers({ options, onChange: settings.onChange });
    const limiter = new MemoryUpstreamLimiter();
    return {
      breakers,
      limiter,
      ready: Promise.resolve(true),
      close: async () => { await Promise.all([breakers.close(), limiter.close()]); },
    };
  }

  const redis = newRedisClient(settings.redisUrl);
  // Connection errors surface through the breakers' subscriber and failed commands; this listener only keeps
  // ioredis from printing each reconnection attempt as an unhandled error.
  redis.on("error", () => {});
  const prefix = settings.prefix ?? "liaison:";
  const { onError, onRecover } = settings;
  const breakers = new RedisCircuitBreakers({ redis, prefix, options, onError, onRecover, onChange: settings.onChange });
  const limiter = new RedisUpstreamLimiter({ redis, prefix, onError, onRecover });
  const connected = redis.connect().then(() => true, () => false);
  return {
    breakers,
    limiter,
    ready: Promise.all([connected, breakers.ready()]).then(([a, b]) => a && b),
    close: async () => {
      await Promise.all([breakers.close(), limiter.close()]);
      if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
