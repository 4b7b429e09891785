import { describe, expect, it } from "vitest";
import { createStrategy, STRATEGY_NAMES } from "../../../src/engine/routing/strategies.js";
import { LiveTargetStats } from "../../../src/engine/routing/target-stats.js";
import type { RequestClass } from "../../../src/engine/routing/types.js";
import { seeded, target } from "./harness.js";

describe("every strategy", () => {
  it("covers all nine names", () => {
    expect([...STRATEGY_NAMES].sort()).toEqual(["adaptive", "cascade", "learned", "least-busy", "least-latency", "lowest-cost", "priority", "round-robin", "weighted"]);
  });

  for (const name of STRATEGY_NAMES) {
    it(`${name}: returns a permutation of its input and leaves the input untouched`, () => {
      const random = seeded(name.length * 97);
      const stats = new LiveTargetStats();
      const strategy = createStrategy(name);
      expect(strategy.name).toBe(name);
      for (let round = 0; round < 300; round++) {
        const n = round % 6; // 0..5 targets, empty and single included
        const targets = Object.freeze(Array.from({ length: n }, (_, i) => target(`p${i}/m`, {
          weight: 1 + Math.floor(random() * 5),
          priority: Math.floor(random() * 3),
          ...(random() < 0.7 ? { price: { input: random() * 10, output: random() * 30 } } : {}),
        })));
        const cls: RequestClass = { size: (["small", "medium", "large"] as const)[round % 3]!, tools: random() < 0.5, stream: random() < 0.5 };
        // Some live state, so the stat-driven strategies take their real paths.
        for (const t of targets) {
          if (random() < 0.5) stats.start(t.key);
          if (random() < 0.6) {
            stats.start(t.key);
            stats.finish(t.key, cls, { ok: random() < 0.8, latencyMs: 10 + random() * 500, ttftMs: random() * 100, costUsd: random() * 0.01 });
          }
        }
        const before = targets.map((t) => t.key);
        const order = strategy.order(targets, { route: `r${round % 4}`, cls, stats, random });
        expect(targets.map((t) => t.key)).toEqual(before);
        expect(order).not.toBe(targets);
        expect(order).toHaveLength(n);
        expect(new Set(order)).toEqual(new Set(targets));
      }
    });
  }
});
