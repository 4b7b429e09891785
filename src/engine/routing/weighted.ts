/**
 * `weighted`: the first target is drawn at random in proportion to its
 * weight; the retry order is a further weighted draw without replacement,
 * so a heavier target is also the likelier fallback.
 */
import { randomOf, weightedShuffle } from "./shuffle.js";
import type { Strategy } from "./types.js";

export function weightedStrategy(): Strategy {
  return {
    name: "weighted",
    order(targets, ctx) {
      if (targets.length <= 1) return [...targets];
      return weightedShuffle(targets, (t) => t.weight, randomOf(ctx));
    },
  };
}
