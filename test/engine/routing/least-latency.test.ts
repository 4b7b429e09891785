import { describe, expect, it } from "vitest";
import { leastLatencyStrategy } from "../../../src/engine/routing/least-latency.js";
import { LiveTargetStats } from "../../../src/engine/routing/target-stats.js";
import { context, firstShares, observe, PLAIN, seeded, target } from "./harness.js";

const ROUNDS = 2_000;

describe("least-latency", () => {
  const fast = target("p/fast");
  const slow = target("p/slow");
  const slow2 = target("p/slow2");

  it("with two targets (50 ms, 200 ms) both are always compared, so the fast one leads", () => {
    const stats = new LiveTargetStats();
    observe(stats, "p/fast", PLAIN, 5, 50);
    observe(stats, "p/slow", PLAIN, 5, 200);
    const shares = firstShares(leastLatencyStrategy(), [fast, slow], context({ stats, random: seeded(1) }), ROUNDS);
    expect(shares["p/fast"]).toBe(1);
  });

  it("with three targets the fast one gets the large majority (2/3 ± 4 points) and the slow ones still get picks", () => {
    const stats = new LiveTargetStats();
    observe(stats, "p/fast", PLAIN, 5, 50);
    observe(stats, "p/slow", PLAIN, 5, 200);
    observe(stats, "p/slow2", PLAIN, 5, 200);
    const shares = firstShares(leastLatencyStrategy(), [fast, slow, slow2], context({ stats, random: seeded(2) }), ROUNDS);
    // P(fast is one of the two sampled) = 1 − (2/3 · 1/2) = 2/3.
    expect(shares["p/fast"]).toBeGreaterThan(0.627);
    expect(shares["p/fast"]).toBeLessThan(0.707);
    expect(shares["p/slow"]).toBeGreaterThan(0.12);
    expect(shares["p/slow2"]).toBeGreaterThan(0.12);
  });

  it("does not stampede: four equal-latency targets each get 25 % ± 3 points", () => {
    const stats = new LiveTargetStats();
    const ts = ["a", "b", "c", "d"].map((k) => target(`p/${k}`));
    for (const t of ts) observe(stats, t.key, PLAIN, 5, 100);
    const shares = firstShares(leastLatencyStrategy(), ts, context({ stats, random: seeded(3) }), ROUNDS);
    for (const t of ts) {
      expect(shares[t.key]).toBeGreaterThan(0.22);
      expect(shares[t.key]).toBeLessThan(0.28);
    }
  });

  it("orders the retries by score", () => {
    const stats = new LiveTargetStats();
    observe(stats, "p/fast", PLAIN, 5, 50);
    observe(stats, "p/mid", PLAIN, 5, 100);
    observe(stats, "p/slow", PLAIN, 5, 200);
    const ctx = context({ stats, random: seeded(4) });
    for (let i = 0; i < 100; i++) {
      const order = leastLatencyStrategy().order([slow, target("p/mid"), fast], ctx).map((t) => t.key);
      const rest = order.slice(1);
      const expected = ["p/fast", "p/mid", "p/slow"].filter((k) => k !== order[0]);
      expect(rest).toEqual(expected);
    }
  });

  it("uses TTFT for streams", () => {
    const stats = new LiveTargetStats();
    const stream = { ...PLAIN, stream: true };
    // "a" finishes sooner overall but starts streaming later.
    observe(stats, "p/a", stream, 5, 1_000, true, 400);
    observe(stats, "p/b", stream, 5, 3_000, true, 100);
    const ts = [target("p/a"), target("p/b")];
    expect(leastLatencyStrategy().order(ts, context({ stats, cls: stream }))[0]!.key).toBe("p/b");
    expect(leastLatencyStrategy().order(ts, context({ stats, cls: PLAIN }))[0]!.key).toBe("p/a");
  });

  it("treats an unmeasured target as the fastest known, so it gets measured, and in-flight load pushes it back", () => {
    const stats = new LiveTargetStats();
    observe(stats, "p/fast", PLAIN, 5, 50);
    observe(stats, "p/slow", PLAIN, 5, 200);
    const fresh = target("p/fresh");
    const shares = firstShares(leastLatencyStrategy(), [fast, slow, fresh], context({ stats, random: seeded(5) }), ROUNDS);
    // fresh ties with fast (coin flip when both are sampled) and beats slow: 1/3·1 + 1/3·1/2 = 1/2.
    expect(shares["p/fresh"]).toBeGreaterThan(0.46);
    expect(shares["p/fresh"]).toBeLessThan(0.54);
    stats.start("p/fresh");
    stats.start("p/fresh");
    stats.start("p/fresh");
    stats.start("p/fresh");
    const loaded = firstShares(leastLatencyStrategy(), [fast, slow, fresh], context({ stats, random: seeded(6) }), ROUNDS);
    // 50 ms × 5 in flight scores worse than slow's 200 ms × 1.
    expect(loaded["p/fresh"]).toBe(0);
  });
});
