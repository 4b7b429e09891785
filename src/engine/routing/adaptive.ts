/**
 * `adaptive`: learn, per request class, which targets actually serve that
 * kind of request well, and send the traffic there.
 *
 * For each target, from `stats.classStats(key, cls)`:
 *
 *   p     = (successes + a) / (attempts + a + b)        Beta(a, b) prior, a = 9.5, b = 0.5
 *   score = p − 0.15 · min(log2(lat / bestLat), 4)
 *             − 0.10 · min(log2((cost + c0) / (bestCost + c0)), 4)
 *
 * - The prior (mean 0.95, worth 10 attempts) keeps one failure from sinking
 *   a target (1 failure in 1 → p = 0.86) and starts an untried target level
 *   with a healthy one, so it gets measured; attempts are the decayed,
 *   windowed counts of LiveTargetStats, so old behaviour fades and the prior
 *   regains weight.
 * - Penalties are in units of success rate, per doubling relative to the
 *   best target in this set: twice as slow costs 0.15, twice as dear 0.10;
 *   each is capped at 4 doublings so neither can outweigh reliability.
 *   lat is the class EWMA (TTFT for streams), else the target's overall
 *   EWMA; cost is the observed class cost, else the config-price estimate;
 *   c0 = $0.000001 keeps free targets finite. An unknown latency or cost
 *   carries no penalty (optimism, so it gets measured).
 * - Targets that cannot be told apart from the best share the first place
 *   by a weighted draw (operator weights), so two healthy targets split
 *   traffic instead of flapping between winner-takes-all. "Cannot be told
 *   apart": best − score ≤ max(0.05, 2·√(v_best + v)), with v = p(1−p)/(N+1)
 *   the variance of the Beta posterior (N = attempts + a + b). With a
 *   20-attempt window one or two unlucky failures are noise, not a signal;
 *   without this band a healthy target pushed out by noise would then only
 *   see ε traffic and stay out.
 * - With probability ε = 0.05 the first place goes instead to a random
 *   target outside that set, so a target that has recovered is noticed.
 * - The retry order is everything else by score, best first.
 */
import { estimateCost } from "./cost-estimate.js";
import { randomOf, shuffle, sortedBy, weightedShuffle } from "./shuffle.js";
import type { Strategy, StrategyContext, TargetRef } from "./types.js";

export interface AdaptiveOptions {
  /** Share of requests whose first target is an exploration pick. */
  epsilon?: number;
  /** Beta prior for the success rate, in pseudo-attempts. */
  priorSuccesses?: number;
  priorFailures?: number;
  /** Score lost per doubling of latency / cost over the best target. */
  latencyWeight?: number;
  costWeight?: number;
  /** Doublings beyond which a penalty stops growing. */
  maxDoublings?: number;
  /** Targets within this of the best score always share the first place… */
  nearBest?: number;
  /** …and so do those within this many standard errors of the success-rate difference. */
  nearBestZ?: number;
}

export const ADAPTIVE_DEFAULTS: Required<AdaptiveOptions> = {
  epsilon: 0.05,
  priorSuccesses: 9.5,
  priorFailures: 0.5,
  latencyWeight: 0.15,
  costWeight: 0.1,
  maxDoublings: 4,
  nearBest: 0.05,
  nearBestZ: 2,
};

/** USD; keeps a cost ratio finite when the best target is free. */
const COST_FLOOR_USD = 1e-6;

interface Scored {
  target: TargetRef;
  score: number;
  /** Posterior variance of the success rate. */
  variance: number;
}

export function adaptiveStrategy(options: AdaptiveOptions = {}): Strategy {
  const o = { ...ADAPTIVE_DEFAULTS, ...options };
  return {
    name: "adaptive",
    order(targets, ctx) {
      if (targets.length <= 1) return [...targets];
      const random = randomOf(ctx);
      const scored = score(targets, ctx, o);
      let best = scored[0]!;
      for (const s of scored) if (s.score > best.score) best = s;
      const isNear = (s: Scored) => best.score - s.score <= Math.max(o.nearBest, o.nearBestZ * Math.sqrt(best.variance + s.variance));
      const near = scored.filter(isNear);
      const others = scored.filter((s) => !isNear(s));

      let first: Scored;
      if (others.length > 0 && random() < o.epsilon) first = others[Math.floor(random() * others.length)]!;
      else first = weightedShuffle(near, (s) => s.target.weight, random)[0]!;

      // Shuffled before the stable sort so exact ties do not always favour list order.
      const rest = sortedBy(shuffle(scored.filter((s) => s !== first), random), (s) => -s.score);
      return [first.target, ...rest.map((s) => s.target)];
    },
  };
}

function score(targets: readonly TargetRef[], ctx: StrategyContext, o: Required<AdaptiveOptions>): Scored[] {
  const { stats, cls } = ctx;
  const rows = targets.map((target) => {
    const c = stats.classStats(target.key, cls);
    const attempts = c?.samples ?? 0;
    const successes = c ? c.successRate * c.samples : 0;
    const n = attempts + o.priorSuccesses + o.priorFailures;
    const p = (successes + o.priorSuccesses) / n;
    let latency = c && c.ewmaMs > 0 ? c.ewmaMs : undefined;
    if (latency === undefined) {
      const l = stats.latency(target.key);
      latency = l === undefined ? undefined : cls.stream ? (l.ttftEwmaMs ?? l.ewmaMs) : l.ewmaMs;
    }
    // An observed cost of 0 means "not reported" (or free, which the price then confirms).
    const cost = c && c.costUsd > 0 ? c.costUsd : estimateCost(target, cls);
    return { target, p, variance: (p * (1 - p)) / (n + 1), latency, cost };
  });

  let bestLatency = Number.POSITIVE_INFINITY;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const r of rows) {
    if (r.latency !== undefined && r.latency > 0) bestLatency = Math.min(bestLatency, r.latency);
    if (r.cost !== undefined) bestCost = Math.min(bestCost, r.cost);
  }
  const doublings = (x: number, best: number) => Math.min(Math.max(Math.log2(x / best), 0), o.maxDoublings);

  return rows.map((r) => {
    let s = r.p;
    if (r.latency !== undefined && r.latency > 0) s -= o.latencyWeight * doublings(r.latency, bestLatency);
    if (r.cost !== undefined) s -= o.costWeight * doublings(r.cost + COST_FLOOR_USD, bestCost + COST_FLOOR_USD);
    return { target: r.target, score: s, variance: r.variance };
  });
}
