import { describe, expect, it } from "vitest";
import { leastBusyStrategy } from "../../../src/engine/routing/least-busy.js";
import { LiveTargetStats } from "../../../src/engine/routing/target-stats.js";
import { context, firstShares, seeded, target } from "./harness.js";

describe("least-busy", () => {
  const ts = [target("p/a"), target("p/b"), target("p/c")];

  it("puts the idle target first and the busiest last", () => {
    const stats = new LiveTargetStats();
    for (let i = 0; i < 3; i++) stats.start("p/a");
    stats.start("p/b");
    const ctx = context({ stats, random: seeded(3) });
    for (let i = 0; i < 50; i++) expect(leastBusyStrategy().order(ts, ctx).map((t) => t.key)).toEqual(["p/c", "p/b", "p/a"]);
  });

  it("splits ties at random: three idle targets each get 1/3 ± 3 points of 3000 picks", () => {
    const shares = firstShares(leastBusyStrategy(), ts, context({ random: seeded(5) }), 3_000);
    for (const k of ["p/a", "p/b", "p/c"]) {
      expect(shares[k]).toBeGreaterThan(0.303);
      expect(shares[k]).toBeLessThan(0.363);
    }
  });

  it("spreads concurrent requests evenly when each pick starts an attempt", () => {
    const stats = new LiveTargetStats();
    const ctx = context({ stats, random: seeded(9) });
    const s = leastBusyStrategy();
    for (let i = 0; i < 9; i++) stats.start(s.order(ts, ctx)[0]!.key);
    expect(ts.map((t) => stats.inFlight(t.key))).toEqual([3, 3, 3]);
  });
});
