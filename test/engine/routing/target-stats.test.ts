import { describe, expect, it } from "vitest";
import { LiveTargetStats } from "../../../src/engine/routing/target-stats.js";
import { observe, PLAIN, TOOLS } from "./harness.js";

describe("LiveTargetStats", () => {
  it("counts requests in flight and never goes below zero", () => {
    const s = new LiveTargetStats();
    s.start("a");
    s.start("a");
    expect(s.inFlight("a")).toBe(2);
    s.finish("a", PLAIN, { ok: true, latencyMs: 10 });
    s.release("a");
    s.release("a");
    expect(s.inFlight("a")).toBe(0);
    expect(s.inFlight("never-seen")).toBe(0);
  });

  it("keeps an EWMA (alpha 0.2) of latency and TTFT, seeded by the first sample", () => {
    const s = new LiveTargetStats();
    expect(s.latency("a")).toBeUndefined();
    observe(s, "a", PLAIN, 1, 100, true, 40);
    expect(s.latency("a")).toEqual({ ewmaMs: 100, ttftEwmaMs: 40, samples: 1 });
    observe(s, "a", PLAIN, 1, 200, true, 140);
    expect(s.latency("a")).toEqual({ ewmaMs: 120, ttftEwmaMs: 60, samples: 2 });
  });

  it("ignores fast failures for latency but counts slow ones (timeouts)", () => {
    const s = new LiveTargetStats();
    observe(s, "a", PLAIN, 1, 100);
    observe(s, "a", PLAIN, 1, 1, false);
    expect(s.latency("a")!.ewmaMs).toBe(100);
    observe(s, "a", PLAIN, 1, 1_100, false);
    expect(s.latency("a")!.ewmaMs).toBe(300);
    // A failure before any success says nothing about speed.
    observe(s, "b", PLAIN, 1, 5, false);
    expect(s.latency("b")).toBeUndefined();
  });

  it("tracks success rate, latency and cost per class", () => {
    const s = new LiveTargetStats({ now: () => 0 });
    observe(s, "a", PLAIN, 4, 100);
    observe(s, "a", TOOLS, 3, 300, false);
    observe(s, "a", TOOLS, 1, 300, true);
    s.start("a");
    s.finish("a", PLAIN, { ok: true, latencyMs: 100, costUsd: 0.002 });
    expect(s.classStats("a", PLAIN)).toMatchObject({ successRate: 1, ewmaMs: 100, costUsd: 0.002, samples: 5 });
    expect(s.classStats("a", TOOLS)).toMatchObject({ successRate: 0.25, ewmaMs: 300, samples: 4 });
    expect(s.classStats("a", { size: "large", tools: false, stream: false })).toBeUndefined();
  });

  it("uses TTFT as the latency of stream classes", () => {
    const s = new LiveTargetStats();
    const stream = { ...PLAIN, stream: true };
    observe(s, "a", stream, 1, 5_000, true, 250);
    expect(s.classStats("a", stream)!.ewmaMs).toBe(250);
    expect(s.latency("a")).toMatchObject({ ewmaMs: 5_000, ttftEwmaMs: 250 });
  });

  it("caps the effective sample count (window) and decays it with time", () => {
    let now = 0;
    const s = new LiveTargetStats({ now: () => now, window: 20, halfLifeMs: 60_000 });
    observe(s, "a", PLAIN, 100, 10, false);
    expect(s.classStats("a", PLAIN)).toMatchObject({ successRate: 0, samples: 20 });
    // At the cap each new attempt weighs 1/21: ten successes lift 0 % to 1 − (20/21)^10 ≈ 39 %.
    observe(s, "a", PLAIN, 10, 10, true);
    expect(s.classStats("a", PLAIN)!.successRate).toBeCloseTo(1 - (20 / 21) ** 10, 9);
    now += 60_000;
    expect(s.classStats("a", PLAIN)!.samples).toBeCloseTo(10, 5);
  });

  it("forgets the least recently used key beyond maxKeys", () => {
    const s = new LiveTargetStats({ maxKeys: 2 });
    observe(s, "a", PLAIN, 1, 10);
    observe(s, "b", PLAIN, 1, 20);
    observe(s, "a", PLAIN, 1, 10);
    observe(s, "c", PLAIN, 1, 30);
    expect(s.latency("b")).toBeUndefined();
    expect(s.latency("a")).toBeDefined();
    expect(s.latency("c")).toBeDefined();
  });
});
