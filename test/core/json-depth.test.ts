import { describe, expect, it } from "vitest";
import { checkDepth, exceedsDepth } from "../../src/core/json-depth.js";

/** `depth` levels of alternating objects and arrays, built as text (JSON.stringify itself overflows far sooner). */
const nested = (depth: number): unknown => JSON.parse(`${'{"k":['.repeat(Math.ceil(depth / 2))}1${"]}".repeat(Math.ceil(depth / 2))}`);

describe("JSON depth", () => {
  it("counts objects and arrays, not scalars", () => {
    expect(exceedsDepth("x", 0)).toBe(false);
    expect(exceedsDepth({}, 1)).toBe(false);
    expect(exceedsDepth({ a: [] }, 1)).toBe(true);
    expect(exceedsDepth({ a: [] }, 2)).toBe(false);
    expect(exceedsDepth(nested(64), 64)).toBe(false);
    expect(exceedsDepth(nested(66), 64)).toBe(true);
  });

  it("walks 100 000 levels without recursion", () => {
    expect(exceedsDepth(nested(100_000), 64)).toBe(true);
  });

  it("checks every branch, wide ones included", () => {
    const wide = { a: Array.from({ length: 1000 }, () => ({ b: 1 })), deep: nested(70) };
    expect(exceedsDepth(wide, 64)).toBe(true);
    expect(exceedsDepth({ a: wide.a }, 64)).toBe(false);
  });

  it("throws a 400 naming the limit", () => {
    expect(() => checkDepth(nested(10), 4, "The request body")).toThrow(/more than 4 levels deep.*server\.max_json_depth/);
  });
});
