/**
 * Shared test fixtures for the routing strategies: a seeded random source,
 * targets without a real provider, and counting of first picks.
 */
import type { ProviderAdapter } from "../../../src/providers/types.js";
import { LiveTargetStats } from "../../../src/engine/routing/target-stats.js";
import type { RequestClass, Strategy, StrategyContext, TargetRef } from "../../../src/engine/routing/types.js";

/** mulberry32: small, fast, good enough for distribution tests, and reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Strategies never call the provider; a named stub is enough for identity.
const stubProvider = (name: string) => ({ name, type: "mock" }) as unknown as ProviderAdapter;

export function target(key: string, extra: Partial<Omit<TargetRef, "key">> = {}): TargetRef {
  const [provider = key, model = key] = key.split("/");
  return { key, provider: stubProvider(provider), model, weight: 1, priority: 0, ...extra };
}

export const PLAIN: RequestClass = { size: "small", tools: false, stream: false };
export const TOOLS: RequestClass = { size: "small", tools: true, stream: false };

export function context(overrides: Partial<StrategyContext> = {}): StrategyContext {
  return { route: "m", cls: PLAIN, stats: new LiveTargetStats(), random: seeded(1), ...overrides };
}

/** Fraction of `rounds` orderings in which each key came first. */
export function firstShares(strategy: Strategy, targets: readonly TargetRef[], ctx: StrategyContext, rounds: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of targets) counts[t.key] = 0;
  for (let i = 0; i < rounds; i++) counts[strategy.order(targets, ctx)[0]!.key]! += 1;
  for (const k of Object.keys(counts)) counts[k]! /= rounds;
  return counts;
}

/** Feed `n` identical completed attempts into the stats. */
export function observe(stats: LiveTargetStats, key: string, cls: RequestClass, n: number, latencyMs: number, ok = true, ttftMs?: number): void {
  for (let i = 0; i < n; i++) {
    stats.start(key);
    stats.finish(key, cls, { ok, latencyMs, ...(ttftMs === undefined ? {} : { ttftMs }) });
  }
}
