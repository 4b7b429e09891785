import { describe, expect, it } from "vitest";
import { lowestCostStrategy } from "../../../src/engine/routing/lowest-cost.js";
import type { RequestClass } from "../../../src/engine/routing/types.js";
import { context, firstShares, seeded, target } from "./harness.js";

describe("lowest-cost", () => {
  const keys = (order: { key: string }[]) => order.map((t) => t.key);
  // cheapIn: cheap input, dear output; cheapOut: the reverse.
  const cheapIn = target("p/cheap-in", { price: { input: 0.5, output: 20 } });
  const cheapOut = target("p/cheap-out", { price: { input: 3, output: 4 } });
  const dear = target("p/dear", { price: { input: 10, output: 30 } });
  const unpriced = target("p/unpriced");
  const cls = (size: RequestClass["size"]): RequestClass => ({ size, tools: false, stream: false });

  it("orders by estimated cost for the class, weighting input more for large prompts; unpriced last", () => {
    const s = lowestCostStrategy();
    // small: 500 in / 250 out → cheap-out $0.0025 < cheap-in $0.00525 < dear $0.0125
    expect(keys(s.order([unpriced, dear, cheapIn, cheapOut], context({ cls: cls("small") })))).toEqual(["p/cheap-out", "p/cheap-in", "p/dear", "p/unpriced"]);
    // large: 16k in / 1k out → cheap-in $0.028 < cheap-out $0.052 < dear $0.19
    expect(keys(s.order([unpriced, dear, cheapIn, cheapOut], context({ cls: cls("large") })))).toEqual(["p/cheap-in", "p/cheap-out", "p/dear", "p/unpriced"]);
  });

  it("breaks cost ties by weight: 1:3 at equal prices within ±3 points of 4000 picks", () => {
    const price = { input: 1, output: 2 };
    const a = target("p/a", { price, weight: 1 });
    const b = target("p/b", { price, weight: 3 });
    const shares = firstShares(lowestCostStrategy(), [a, b, dear], context({ random: seeded(11) }), 4_000);
    expect(shares["p/a"]).toBeGreaterThan(0.22);
    expect(shares["p/a"]).toBeLessThan(0.28);
    expect(shares["p/dear"]).toBe(0);
  });
});
