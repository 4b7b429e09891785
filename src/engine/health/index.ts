export type * from "./types.js";
export { DEFAULT_BREAKER_OPTIONS, type BreakerTuning, type StateChangeListener } from "./breaker-policy.js";
export { MemoryCircuitBreakers, type MemoryBreakersSettings } from "./memory-breakers.js";
export { RedisCircuitBreakers, type RedisBreakersSettings } from "./redis-breakers.js";
export {
  MemoryUpstreamLimiter, RedisUpstreamLimiter,
  type MemoryLimiterSettings, type RedisLimiterSettings, type UpstreamLimits,
} from "./upstream-limiter.js";
export { createHealth, type Health, type HealthSettings } from "./create-health.js";
