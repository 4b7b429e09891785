import { describe, expect, it } from "vitest";
import { formatDollars } from "../../src/cost/index.js";
import { budgetError } from "../../src/engine/quotas/index.js";

describe("amounts people read", () => {
  it.each([
    [0.0001, "0.0001"], [0.00000123, "0.00000123"], [1, "1.00"], [12.5, "12.50"], [0, "0.00"], [1e-7, "0.0000001"], [1234.567, "1234.567"],
  ])("%s → $%s", (usd, shown) => {
    expect(formatDollars(usd)).toBe(shown);
  });

  it("a budget of $0.0001 is not refused as a budget of $0.00", () => {
    const e = budgetError({ ok: false, reason: "budget", subject: "key:k1", budgetUsd: 0.0001, spentUsd: 0.00012, period: "total", resetsAt: null });
    expect(e.message).toContain("budget of $0.0001");
    expect(e.message).toContain("spent $0.00012");
  });
});
