import { describe, expect, it } from "vitest";
import { linePlot, ticks } from "../../src/router/svg-plot.js";

describe("router eval's SVG plot", () => {
  it("puts its ticks on round values", () => {
    const show = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(" ");
    expect(show(ticks(0, 1, 10))).toBe("0.000 0.100 0.200 0.300 0.400 0.500 0.600 0.700 0.800 0.900 1.000");
    expect(show(ticks(0.65, 1.07))).toBe("0.700 0.800 0.900 1.000");
    expect(show(ticks(0.8, 1.02))).toBe("0.800 0.850 0.900 0.950 1.000");
    expect(Object.is(ticks(0, 1)[0], -0)).toBe(false);
  });

  it("labels the axes in percent and escapes names", () => {
    const svg = linePlot([{ name: "a <b>", points: [[0, 0.8], [1, 1]], color: "#000" }], { title: "t", xLabel: "x", yLabel: "y", xRange: [0, 1], yRange: [0.75, 1.02] });
    expect(svg).toContain(">95%<");
    expect(svg).toContain(">50%<");
    expect(svg).toContain("a &lt;b&gt;");
  });
});
