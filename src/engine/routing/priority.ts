/**
 * `priority`: lowest `priority` first, equal priorities in list order
 * (Array.prototype.sort is stable). Traffic only reaches the next target
 * when the engine moves on after a failure or an unavailable target.
 */
import { sortedBy } from "./shuffle.js";
import type { Strategy } from "./types.js";

export function priorityStrategy(): Strategy {
  return {
    name: "priority",
    order(targets) {
      return sortedBy(targets, (t) => t.priority);
    },
  };
}
