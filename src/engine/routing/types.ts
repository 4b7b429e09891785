/**
 * Routing contracts. A model name maps to several targets; a
 * strategy orders them for one request (the first is tried first, the rest
 * are the retry order); health (circuit breakers, upstream limits) decides
 * which of them may be tried now.
 */
import type { GatewayError } from "../../core/errors.js";
import type { ProviderAdapter } from "../../providers/types.js";

/** One provider + upstream model behind a model name. */
export interface TargetRef {
  /** Stable identity for stats and breakers: `${provider}/${model}`. */
  key: string;
  provider: ProviderAdapter;
  model: string;
  weight: number;
  /** Lower = preferred, for the `priority` strategy (defaults to list order). */
  priority: number;
  /** USD per million tokens, for `lowest-cost` and `adaptive` (from config until the price catalogue exists). */
  price?: { input: number; output: number };
  /** The catalogue model to price this target's answers as (config `price_model`). */
  priceModel?: string;
  /** Upstream limits the router must stay under. */
  rpm?: number;
  tpm?: number;
}

/** What kind of request this is, for strategies that learn per class. */
export interface RequestClass {
  /** Estimated prompt size bucket. */
  size: "small" | "medium" | "large";
  tools: boolean;
  stream: boolean;
}

/** Observed behaviour of one target, maintained by the engine from every attempt. */
export interface TargetObservation {
  ok: boolean;
  /** Whole attempt, ms. */
  latencyMs: number;
  /** Streams: time to first chunk, ms. */
  ttftMs?: number;
  /** USD, when known. */
  costUsd?: number;
}

/** Read access to live statistics, for strategies. Implementations are in-process and cheap (no I/O). */
export interface TargetStats {
  /** Requests in flight to this target now. */
  inFlight(key: string): number;
  /** EWMA of latency and TTFT (ms); undefined before the first sample. */
  latency(key: string): { ewmaMs: number; ttftEwmaMs: number | undefined; samples: number } | undefined;
  /** Per-class observed success rate, latency and cost (adaptive). */
  classStats(key: string, cls: RequestClass): { successRate: number; ewmaMs: number; costUsd: number; samples: number } | undefined;
}

export type StrategyName = "weighted" | "round-robin" | "least-busy" | "least-latency" | "lowest-cost" | "priority" | "adaptive" | "learned" | "cascade";

/**
 * What `learned` and `cascade` read of the call being routed, and write to
 * its record. The planner passes the call itself: nothing is computed or
 * allocated for it unless a strategy reads it.
 */
export interface RoutedCall {
  /** The validated request (chat: messages; completions: prompt). */
  readonly request: unknown;
  readonly stream: boolean;
  readonly rec: {
    readonly requestId: string;
    /** The router's score for the prompt and the target it chose (log row, x-liaison-route-score). */
    routed(score: number, target: string): void;
    /** A cascade moved on from a doubtful answer of `target`, which cost `costUsd`; false when it already had (its stronger targets then failed). */
    escalated(target: string, costUsd: number | null): boolean;
  };
}

export interface StrategyContext {
  /** The model name (route) the client asked for; round-robin keeps one cursor per route. */
  route: string;
  cls: RequestClass;
  stats: TargetStats;
  /** Injected for deterministic tests; defaults to Math.random. */
  random?: () => number;
  /** The call being routed (for strategies that read the prompt). */
  call?: RoutedCall;
}

/** A successful answer about to be accepted: the cascade may still move on. */
export interface JudgeContext {
  target: TargetRef;
  /** The route's targets, in the strategy's list order. */
  targets: readonly TargetRef[];
  call: RoutedCall;
}

/** Orders a route's targets for one request: first choice first, then the retry order. */
export interface Strategy {
  readonly name: StrategyName;
  order(targets: readonly TargetRef[], ctx: StrategyContext): TargetRef[];
  /**
   * A successful answer that should still move on to the next target (a
   * cascade's doubtful answer): the (retryable) error to act on. Consulted
   * after the call's own judge; strategies without it cost nothing.
   */
  judge?(answer: unknown, ctx: JudgeContext): GatewayError | undefined;
}
