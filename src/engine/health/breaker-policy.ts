/**
 * The circuit-breaker rules as data and two pure functions, shared by the
 * in-memory breakers and (mirrored in Lua) the Redis ones.
 */
import type { BreakerOptions, CircuitState } from "./types.js";
import type { WindowCounts } from "./error-window.js";

/** Matches the config defaults (`routing.circuit_breaker`). */
export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  consecutiveFailures: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 60_000,
  cooldownMs: 30_000,
  halfOpenProbes: 1,
});

/** Settings beyond BreakerOptions, with defaults that rarely need changing. */
export interface BreakerTuning {
  /**
   * Each failed probe doubles the cooldown (30 s, 60 s, 120 s, …) up to this
   * cap, so a target that stays down is probed less and less often, yet
   * never forgotten. Default: 10 × cooldownMs.
   */
  maxCooldownMs?: number;
  /**
   * A probe that never reports back (its caller crashed, or forgot) frees its
   * slot after this long, so a circuit cannot stay half-open forever.
   * Default: 30 s.
   */
  probeLeaseMs?: number;
}

export type StateChangeListener = (key: string, from: CircuitState, to: CircuitState) => void;

export const DEFAULT_PROBE_LEASE_MS = 30_000;

export function maxCooldownMs(options: BreakerOptions, tuning: BreakerTuning): number {
  return Math.max(options.cooldownMs, tuning.maxCooldownMs ?? options.cooldownMs * 10);
}

/** Cooldown after the n-th consecutive trip (n ≥ 1) without a successful probe. */
export function cooldownFor(options: BreakerOptions, trips: number, maxMs: number): number {
  return Math.min(maxMs, options.cooldownMs * 2 ** Math.min(Math.max(trips, 1) - 1, 30));
}

/** Should a closed circuit open? */
export function shouldTrip(options: BreakerOptions, consecutive: number, window: WindowCounts): boolean {
  if (consecutive >= options.consecutiveFailures) return true;
  return window.requests >= options.minRequests && window.failures / window.requests > options.errorRate;
}

/** Listeners are for logs and metrics: they must never break the request path. */
export function notify(listener: StateChangeListener | undefined, key: string, from: CircuitState, to: CircuitState): void {
  if (!listener || from === to) return;
  try {
    listener(key, from, to);
  } catch {
    // A broken log or metric hook must not fail a request.
  }
}
