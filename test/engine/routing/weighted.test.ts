import { describe, expect, it } from "vitest";
import { weightedStrategy } from "../../../src/engine/routing/weighted.js";
import { context, firstShares, seeded, target } from "./harness.js";

describe("weighted", () => {
  const a = target("p/a", { weight: 1 });
  const b = target("p/b", { weight: 3 });

  it("picks first in proportion to weight: 1:3 over 4000 picks within ±3 points", () => {
    const shares = firstShares(weightedStrategy(), [a, b], context({ random: seeded(42) }), 4_000);
    expect(shares["p/a"]).toBeGreaterThan(0.22);
    expect(shares["p/a"]).toBeLessThan(0.28);
  });

  it("orders the retries by a weighted draw too: 1:2:7, the heavy target is second most often when it is not first", () => {
    const c = target("p/c", { weight: 7 });
    const ctx = context({ random: seeded(7) });
    const s = weightedStrategy();
    const second: Record<string, number> = { "p/a": 0, "p/b": 0 };
    let firstNotC = 0;
    for (let i = 0; i < 4_000; i++) {
      const [first, next] = s.order([a, target("p/b", { weight: 2 }), c], ctx);
      if (first!.key === "p/c") second[next!.key]! += 1;
      else firstNotC++;
    }
    // P(c first) = 0.7; given c first, b second with 2/3 (±4 points).
    expect(firstNotC / 4_000).toBeGreaterThan(0.27);
    expect(firstNotC / 4_000).toBeLessThan(0.33);
    const bShare = second["p/b"]! / (second["p/a"]! + second["p/b"]!);
    expect(bShare).toBeGreaterThan(0.63);
    expect(bShare).toBeLessThan(0.71);
  });
});
