/**
 * `least-latency`: power of two choices over a load-aware latency score.
 *
 * Always sending to the single fastest target makes it slow (every gateway
 * instance agrees on it at once). Instead two distinct targets are sampled
 * at random and the better of the two goes first: the fastest target wins
 * every comparison it is part of, the slowest never wins one, and the rest
 * still see traffic. With two targets both are always sampled, so the
 * faster one leads — until its in-flight count raises its score.
 *
 *   score = latency × (inFlight + 1)
 *
 * latency is the TTFT EWMA for streams (when known), else the latency EWMA.
 * The in-flight factor (as in Finagle/Linkerd "peak EWMA") makes a target
 * that is queueing up look slower before its measured latency catches up.
 * A target without samples is scored as the fastest known one, so it wins
 * or ties its comparisons until its first results arrive, and its in-flight
 * factor stops a burst from piling onto it meanwhile.
 */
import { randomOf, shuffle, sortedBy } from "./shuffle.js";
import type { Strategy, StrategyContext, TargetRef } from "./types.js";

export function leastLatencyStrategy(): Strategy {
  return {
    name: "least-latency",
    order(targets, ctx) {
      const n = targets.length;
      if (n <= 1) return [...targets];
      const random = randomOf(ctx);
      const score = scorer(targets, ctx);
      const i = Math.floor(random() * n);
      // j is uniform over the other n - 1 targets.
      const j = (i + 1 + Math.floor(random() * (n - 1))) % n;
      const a = targets[i]!;
      const b = targets[j]!;
      // Ties go to `a`, itself a uniform pick, so equal targets share evenly.
      const first = score(b) < score(a) ? b : a;
      const rest = sortedBy(shuffle(targets.filter((t) => t !== first), random), score);
      return [first, ...rest];
    },
  };
}

function scorer(targets: readonly TargetRef[], ctx: StrategyContext): (t: TargetRef) => number {
  const latencies = new Map<string, number | undefined>();
  let fastest = Number.POSITIVE_INFINITY;
  for (const t of targets) {
    const l = ctx.stats.latency(t.key);
    const ms = l === undefined ? undefined : ctx.cls.stream ? (l.ttftEwmaMs ?? l.ewmaMs) : l.ewmaMs;
    latencies.set(t.key, ms);
    if (ms !== undefined && ms < fastest) fastest = ms;
  }
  // No target measured yet: latency is the same for all, and in-flight alone decides.
  if (fastest === Number.POSITIVE_INFINITY) fastest = 1;
  const scores = new Map<string, number>();
  for (const t of targets) {
    // Floored at 1 ms so a 0 ms target (the mock provider) still feels its in-flight count.
    const ms = Math.max(latencies.get(t.key) ?? fastest, 1);
    scores.set(t.key, ms * (ctx.stats.inFlight(t.key) + 1));
  }
  return (t) => scores.get(t.key)!;
}
