import { describe, expect, it } from "vitest";
import { roundRobinStrategy } from "../../../src/engine/routing/round-robin.js";
import { context, target } from "./harness.js";

describe("round-robin", () => {
  const ts = [target("p/a"), target("p/b"), target("p/c")];
  const keys = (order: { key: string }[]) => order.map((t) => t.key);

  it("rotates exactly, the retry order continuing around the ring", () => {
    const s = roundRobinStrategy();
    const ctx = context();
    expect(keys(s.order(ts, ctx))).toEqual(["p/a", "p/b", "p/c"]);
    expect(keys(s.order(ts, ctx))).toEqual(["p/b", "p/c", "p/a"]);
    expect(keys(s.order(ts, ctx))).toEqual(["p/c", "p/a", "p/b"]);
    expect(keys(s.order(ts, ctx))).toEqual(["p/a", "p/b", "p/c"]);
  });

  it("keeps one cursor per route, and per strategy instance", () => {
    const s = roundRobinStrategy();
    expect(s.order(ts, context({ route: "x" }))[0]!.key).toBe("p/a");
    expect(s.order(ts, context({ route: "x" }))[0]!.key).toBe("p/b");
    expect(s.order(ts, context({ route: "y" }))[0]!.key).toBe("p/a");
    expect(s.order(ts, context({ route: "x" }))[0]!.key).toBe("p/c");
    expect(roundRobinStrategy().order(ts, context({ route: "x" }))[0]!.key).toBe("p/a");
  });

  it("copes with a route whose target list shrinks", () => {
    const s = roundRobinStrategy();
    s.order(ts, context());
    s.order(ts, context());
    expect(keys(s.order(ts.slice(0, 2), context()))).toEqual(["p/a", "p/b"]);
  });
});
