import { describe, expect, it } from "vitest";
import { priorityStrategy } from "../../../src/engine/routing/priority.js";
import { context, target } from "./harness.js";

describe("priority", () => {
  it("orders by priority ascending, equal priorities in list order, every time", () => {
    const ts = [target("p/a", { priority: 2 }), target("p/b", { priority: 1 }), target("p/c", { priority: 2 }), target("p/d", { priority: 0 })];
    for (let i = 0; i < 20; i++) expect(priorityStrategy().order(ts, context()).map((t) => t.key)).toEqual(["p/d", "p/b", "p/a", "p/c"]);
  });
});
