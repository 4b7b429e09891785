/**
 * Target health contracts: circuit breakers and upstream limits.
 * The engine asks before each attempt and reports after it. With Redis
 * configured, state is shared by every gateway instance.
 */

export type CircuitState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Open after this many consecutive failures. */
  consecutiveFailures: number;
  /** …or when the error rate over the window is above this (0..1) with at least `minRequests` requests. */
  errorRate: number;
  minRequests: number;
  windowMs: number;
  /** How long an open circuit stays open before a half-open probe is allowed. */
  cooldownMs: number;
  /** Concurrent probes allowed while half-open. */
  halfOpenProbes: number;
}

export interface TargetHealthSnapshot {
  key: string;
  state: CircuitState;
  /** Error rate over the window (0..1) and its request count. */
  errorRate: number;
  requests: number;
  consecutiveFailures: number;
  /** When an open circuit may next be probed (epoch ms). */
  retryAt: number | null;
}

export interface CircuitBreakers {
  /**
   * May this target be tried now? Closed → yes; open → no until cooldown has
   * passed, then the first callers (up to halfOpenProbes) get a probe (yes).
   * Must be fast: no network round trip on the hot path (a Redis-backed
   * implementation serves this from a local view kept in sync).
   */
  allow(key: string): boolean;
  /** Report an attempt's outcome (only failures that say something about the target's health count). */
  record(key: string, ok: boolean): void;
  snapshot(key: string): TargetHealthSnapshot;
  close(): Promise<void>;
}

/** Upstream rate limits a target declares (rpm / tpm), shared across instances with Redis. */
export interface UpstreamLimiter {
  /**
   * Reserve one request and `tokens` estimated tokens for this target in the
   * current minute; false (and nothing reserved) when either limit would be
   * exceeded, so the router skips the target instead of earning a 429.
   */
  tryAcquire(key: string, limits: { rpm?: number; tpm?: number }, tokens: number): Promise<boolean>;
  /** Correct the token reservation once actual usage is known. */
  settle(key: string, reservedTokens: number, actualTokens: number): void;
  close(): Promise<void>;
}
