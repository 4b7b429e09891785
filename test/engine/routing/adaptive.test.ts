import { describe, expect, it } from "vitest";
import { adaptiveStrategy } from "../../../src/engine/routing/adaptive.js";
import { LiveTargetStats } from "../../../src/engine/routing/target-stats.js";
import type { RequestClass, Strategy, TargetRef } from "../../../src/engine/routing/types.js";
import { context, firstShares, observe, PLAIN, seeded, target, TOOLS } from "./harness.js";

/** What each target really does, per class: success probability and latency. */
type World = Record<string, { plain: number; tools: number; latencyMs: number }>;

/**
 * One round = 50 plain + 50 tools requests, interleaved, 10 ms of simulated
 * time apart (100 req/s). Each first pick is attempted once; its outcome is
 * drawn from the target's true success rate and fed back through finish().
 * Returns the share of each class's first picks that went to `watch`.
 */
function run(strategy: Strategy, targets: TargetRef[], world: World, rounds: number, sim: { stats: LiveTargetStats; clock: { now: number }; random: () => number }, watch: string) {
  let plain = 0;
  let tools = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 100; i++) {
      const cls: RequestClass = i % 2 === 0 ? PLAIN : TOOLS;
      const first = strategy.order(targets, { route: "m", cls, stats: sim.stats, random: sim.random })[0]!;
      if (first.key === watch && cls.tools) tools++;
      else if (first.key === watch) plain++;
      const truth = world[first.key]!;
      sim.stats.start(first.key);
      sim.stats.finish(first.key, cls, { ok: sim.random() < (cls.tools ? truth.tools : truth.plain), latencyMs: truth.latencyMs });
      sim.clock.now += 10;
    }
  }
  return { plain: plain / (50 * rounds), tools: tools / (50 * rounds) };
}

function simulation(seed: number) {
  const clock = { now: 0 };
  return { clock, stats: new LiveTargetStats({ now: () => clock.now }), random: seeded(seed) };
}

describe("adaptive", () => {
  const a = target("p/a");
  const b = target("p/b");

  it("moves tools traffic off a target that fails it, keeps its share of plain traffic, and brings it back when it recovers", () => {
    const sim = simulation(21);
    const strategy = adaptiveStrategy();
    const world: World = {
      "p/a": { plain: 0.97, tools: 0.97, latencyMs: 300 },
      "p/b": { plain: 0.97, tools: 0.2, latencyMs: 300 },
    };
    run(strategy, [a, b], world, 10, sim, "p/b"); // learn
    const broken = run(strategy, [a, b], world, 20, sim, "p/b");
    expect(broken.tools).toBeLessThan(0.15);
    expect(broken.plain).toBeGreaterThan(0.35);
    expect(broken.plain).toBeLessThan(0.65);

    // b is fixed. Its only tools traffic is now ε exploration, yet within
    // 20 rounds (1000 tools requests, 20 s at 100 req/s) it is back.
    world["p/b"]!.tools = 0.97;
    const recovery: number[] = [];
    for (let r = 0; r < 20; r++) recovery.push(run(strategy, [a, b], world, 1, sim, "p/b").tools);
    // First round in which b has ≥ 30 % of tools traffic again: 10 with this
    // seed, 5–13 over seeds 100–139 (b's tools share while broken: ≤ 6.5 %).
    const backInRound = recovery.findIndex((s) => s >= 0.3) + 1;
    expect(backInRound).toBeGreaterThan(0);
    expect(backInRound).toBeLessThanOrEqual(20);
    const back = run(strategy, [a, b], world, 10, sim, "p/b");
    expect(back.tools).toBeGreaterThan(0.35);
    expect(back.tools).toBeLessThan(0.65);
  });

  it("prefers the faster of two equally reliable targets, and the slow one is still explored", () => {
    const sim = simulation(22);
    const world: World = {
      "p/a": { plain: 0.98, tools: 0.98, latencyMs: 200 },
      "p/b": { plain: 0.98, tools: 0.98, latencyMs: 800 },
    };
    const strategy = adaptiveStrategy();
    run(strategy, [a, b], world, 5, sim, "p/b");
    const shares = run(strategy, [a, b], world, 20, sim, "p/b");
    // 4× slower = 2 doublings × 0.15 = 0.30 below a: only ε (5 %) exploration, ± 2 points.
    expect(shares.plain).toBeGreaterThan(0.03);
    expect(shares.plain).toBeLessThan(0.07);
  });

  it("weighs cost: at equal reliability and speed the target twice as dear gets only exploration traffic", () => {
    const cheap = target("p/cheap", { price: { input: 1, output: 2 } });
    const dear = target("p/dear", { price: { input: 2, output: 4 } });
    const stats = new LiveTargetStats({ now: () => 0 });
    observe(stats, "p/cheap", PLAIN, 20, 100);
    observe(stats, "p/dear", PLAIN, 20, 100);
    const shares = firstShares(adaptiveStrategy(), [cheap, dear], context({ stats, random: seeded(23) }), 4_000);
    expect(shares["p/dear"]).toBeGreaterThan(0.04);
    expect(shares["p/dear"]).toBeLessThan(0.06);
  });

  it("does not drop a target for one failure: 19/20 and 20/20 share traffic by weight", () => {
    const stats = new LiveTargetStats({ now: () => 0 });
    observe(stats, "p/a", PLAIN, 20, 100);
    observe(stats, "p/b", PLAIN, 19, 100);
    observe(stats, "p/b", PLAIN, 1, 100, false);
    const shares = firstShares(adaptiveStrategy(), [a, target("p/b", { weight: 3 })], context({ stats, random: seeded(24) }), 4_000);
    expect(shares["p/b"]).toBeGreaterThan(0.72);
    expect(shares["p/b"]).toBeLessThan(0.78);
  });

  it("starts untried targets near a proven one, and orders retries by score", () => {
    const stats = new LiveTargetStats({ now: () => 0 });
    observe(stats, "p/good", PLAIN, 20, 100);
    observe(stats, "p/bad", PLAIN, 20, 100, false);
    const ctx = context({ stats, random: seeded(25) });
    const ts = [target("p/bad"), target("p/new"), target("p/good")];
    const shares = firstShares(adaptiveStrategy({ epsilon: 0 }), ts, ctx, 2_000);
    // new: 9.5/10 = 0.95; good: 29.5/30 = 0.983 → within 0.05 of each other, so they share.
    expect(shares["p/bad"]).toBe(0);
    expect(shares["p/new"]).toBeGreaterThan(0.45);
    expect(shares["p/new"]).toBeLessThan(0.55);
    for (let i = 0; i < 50; i++) expect(adaptiveStrategy().order(ts, ctx).at(-1)!.key).not.toBe("p/good");
  });
});
