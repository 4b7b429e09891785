/**
 * `lowest-cost`: cheapest expected cost for this request's size first
 * (see cost-estimate.ts). Equal costs are ordered by a weighted random draw,
 * so the operator's weights still split load between equally priced
 * targets; targets without a price come last.
 */
import { estimateCost } from "./cost-estimate.js";
import { randomOf, sortedBy, weightedShuffle } from "./shuffle.js";
import type { Strategy } from "./types.js";

export function lowestCostStrategy(): Strategy {
  return {
    name: "lowest-cost",
    order(targets, ctx) {
      if (targets.length <= 1) return [...targets];
      const byWeight = weightedShuffle(targets, (t) => t.weight, randomOf(ctx));
      return sortedBy(byWeight, (t) => estimateCost(t, ctx.cls) ?? Number.POSITIVE_INFINITY);
    },
  };
}
