/**
 * `least-busy`: fewest requests in flight first. Ties are broken at random
 * rather than by list order, so equally idle targets share the load instead
 * of the first one taking every request at low concurrency.
 */
import { randomOf, shuffle, sortedBy } from "./shuffle.js";
import type { Strategy } from "./types.js";

export function leastBusyStrategy(): Strategy {
  return {
    name: "least-busy",
    order(targets, ctx) {
      if (targets.length <= 1) return [...targets];
      // Shuffle, then a stable sort: equal counts keep their random order.
      return sortedBy(shuffle(targets, randomOf(ctx)), (t) => ctx.stats.inFlight(t.key));
    },
  };
}
