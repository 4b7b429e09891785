/**
 * Strategy registry: the one place that maps a configured strategy name to
 * its implementation. Create one instance per gateway (round-robin keeps
 * its per-route cursors in the instance) and share it across requests.
 */
import { adaptiveStrategy } from "./adaptive.js";
import { cascadeStrategy } from "./cascade.js";
import { leastBusyStrategy } from "./least-busy.js";
import { leastLatencyStrategy } from "./least-latency.js";
import { lowestCostStrategy } from "./lowest-cost.js";
import { priorityStrategy } from "./priority.js";
import { roundRobinStrategy } from "./round-robin.js";
import type { Strategy, StrategyName } from "./types.js";
import { weightedStrategy } from "./weighted.js";

const FACTORIES: Record<StrategyName, () => Strategy> = {
  "weighted": weightedStrategy,
  "round-robin": roundRobinStrategy,
  "least-busy": leastBusyStrategy,
  "least-latency": leastLatencyStrategy,
  "lowest-cost": lowestCostStrategy,
  "priority": priorityStrategy,
  "adaptive": () => adaptiveStrategy(),
  // Both get their router file at start-up (attach-routers.ts); until then, and for a
  // cascade without one, the plain forms: learned in priority order, cascade judging by its plain rules.
  "learned": () => ({ ...priorityStrategy(), name: "learned" }),
  "cascade": () => cascadeStrategy(),
};

export const STRATEGY_NAMES = Object.keys(FACTORIES) as StrategyName[];

export function createStrategy(name: StrategyName): Strategy {
  return FACTORIES[name]();
}
