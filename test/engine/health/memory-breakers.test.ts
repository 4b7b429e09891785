import { describe, expect, it } from "vitest";
import { MemoryCircuitBreakers } from "../../../src/engine/health/memory-breakers.js";
import type { BreakerOptions, CircuitState } from "../../../src/engine/health/types.js";
import { FakeClock } from "./fake-clock.js";

const OPTIONS: BreakerOptions = { consecutiveFailures: 3, errorRate: 0.5, minRequests: 10, windowMs: 10_000, cooldownMs: 1_000, halfOpenProbes: 1 };
const K = "openai/gpt-4o";

function setup(options: Partial<BreakerOptions> = {}, extra: { maxCooldownMs?: number; probeLeaseMs?: number } = {}) {
  const clock = new FakeClock();
  const changes: [string, CircuitState, CircuitState][] = [];
  const breakers = new MemoryCircuitBreakers({
    options: { ...OPTIONS, ...options }, now: clock.now, onChange: (k, from, to) => changes.push([k, from, to]), ...extra,
  });
  const fail = (n: number) => { for (let i = 0; i < n; i++) breakers.record(K, false); };
  return { clock, breakers, changes, fail };
}

describe("MemoryCircuitBreakers", () => {
  it("allows an unknown target and reports it closed", () => {
    const { breakers } = setup();
    expect(breakers.allow(K)).toBe(true);
    expect(breakers.snapshot(K)).toEqual({ key: K, state: "closed", errorRate: 0, requests: 0, consecutiveFailures: 0, retryAt: null });
  });

  it("closed → open after N consecutive failures; a success resets the streak", () => {
    const { breakers, clock, changes, fail } = setup();
    fail(2);
    breakers.record(K, true);
    fail(2);
    expect(breakers.snapshot(K)).toMatchObject({ state: "closed", consecutiveFailures: 2, requests: 5 });
    expect(breakers.allow(K)).toBe(true);
    fail(1);
    expect(breakers.allow(K)).toBe(false);
    expect(breakers.snapshot(K)).toMatchObject({ state: "open", consecutiveFailures: 3, retryAt: clock.t + 1_000 });
    expect(changes).toEqual([[K, "closed", "open"]]);
  });

  it("closed → open when the error rate passes the threshold with enough requests", () => {
    const { breakers, fail } = setup({ consecutiveFailures: 100 });
    // 5 of 10 is not above 50 %.
    for (let i = 0; i < 5; i++) { breakers.record(K, true); fail(1); }
    expect(breakers.snapshot(K)).toMatchObject({ state: "closed", requests: 10, errorRate: 0.5 });
    fail(1); // 6 of 11
    expect(breakers.snapshot(K).state).toBe("open");
  });

  it("does not trip on the error rate below minRequests", () => {
    const { breakers, fail } = setup({ consecutiveFailures: 100 });
    fail(9);
    expect(breakers.snapshot(K)).toMatchObject({ state: "closed", requests: 9, errorRate: 1 });
  });

  it("forgets outcomes older than the window, bucket by bucket", () => {
    const { breakers, clock, fail } = setup({ consecutiveFailures: 100 });
    fail(6);
    clock.advance(5_000);
    for (let i = 0; i < 3; i++) breakers.record(K, true);
    expect(breakers.snapshot(K)).toMatchObject({ requests: 9, errorRate: 6 / 9 });
    clock.advance(5_000); // the six failures are now 10 s old
    expect(breakers.snapshot(K)).toMatchObject({ requests: 3, errorRate: 0 });
    fail(5); // 5 of 8: below minRequests
    expect(breakers.snapshot(K)).toMatchObject({ state: "closed", requests: 8 });
    clock.advance(5_000); // the three successes have gone
    expect(breakers.snapshot(K)).toMatchObject({ requests: 5, errorRate: 1 });
    fail(4);
    breakers.record(K, true);
    expect(breakers.snapshot(K)).toMatchObject({ state: "closed", requests: 10 }); // a success never trips
    fail(1);
    expect(breakers.snapshot(K).state).toBe("open");
    clock.advance(10_000);
    expect(breakers.snapshot(K)).toMatchObject({ requests: 0, errorRate: 0 });
  });

  it("open → half_open after the cooldown; one probe at a time; probe success → closed", () => {
    const { breakers, clock, changes, fail } = setup();
    fail(3);
    clock.advance(999);
    expect(breakers.allow(K)).toBe(false);
    clock.advance(1);
    expect(breakers.allow(K)).toBe(true); // the probe
    expect(breakers.snapshot(K)).toMatchObject({ state: "half_open", retryAt: null });
    expect(breakers.allow(K)).toBe(false); // one probe at a time
    breakers.record(K, true);
    expect(breakers.snapshot(K)).toEqual({ key: K, state: "closed", errorRate: 0, requests: 0, consecutiveFailures: 0, retryAt: null });
    expect(breakers.allow(K)).toBe(true);
    expect(changes.map(([, from, to]) => `${from}→${to}`)).toEqual(["closed→open", "open→half_open", "half_open→closed"]);
  });

  it("half_open → open on a probe failure, with the cooldown doubling up to its cap, and reset by a close", () => {
    const { breakers, clock, fail } = setup({}, { maxCooldownMs: 5_000 });
    fail(3);
    const cooldowns: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { retryAt } = breakers.snapshot(K);
      cooldowns.push(retryAt! - clock.t);
      clock.t = retryAt!;
      expect(breakers.allow(K)).toBe(true);
      breakers.record(K, false);
      expect(breakers.snapshot(K).state).toBe("open");
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 5_000]);
    clock.t = breakers.snapshot(K).retryAt!;
    expect(breakers.allow(K)).toBe(true);
    breakers.record(K, true);
    fail(3);
    expect(breakers.snapshot(K).retryAt! - clock.t).toBe(1_000);
  });

  it("admits up to halfOpenProbes concurrent probes; a probe that never reports frees its slot after the lease", () => {
    const { breakers, clock, fail } = setup({ halfOpenProbes: 3 }, { probeLeaseMs: 5_000 });
    fail(3);
    clock.advance(1_000);
    expect([1, 2, 3, 4, 5].map(() => breakers.allow(K))).toEqual([true, true, true, false, false]);
    clock.advance(4_999);
    expect(breakers.allow(K)).toBe(false);
    clock.advance(1);
    expect([1, 2, 3, 4].map(() => breakers.allow(K))).toEqual([true, true, true, false]);
    breakers.record(K, true); // the first probe to answer decides
    expect(breakers.snapshot(K).state).toBe("closed");
  });

  it("outcomes arriving while open (in flight before the trip) are counted but move nothing", () => {
    const { breakers, fail } = setup();
    fail(3);
    breakers.record(K, true);
    breakers.record(K, true);
    expect(breakers.snapshot(K)).toMatchObject({ state: "open", requests: 5 });
    expect(breakers.allow(K)).toBe(false);
  });

  it("keeps targets apart", () => {
    const { breakers, fail } = setup();
    fail(3);
    expect(breakers.allow(K)).toBe(false);
    expect(breakers.allow("anthropic/claude")).toBe(true);
  });

  it("a throwing onChange does not reach the caller", () => {
    const breakers = new MemoryCircuitBreakers({ options: OPTIONS, onChange: () => { throw new Error("broken hook"); } });
    expect(() => { for (let i = 0; i < 3; i++) breakers.record(K, false); }).not.toThrow();
    expect(breakers.allow(K)).toBe(false);
  });

  it("forgets healthy idle targets beyond maxKeys, never open ones", () => {
    const clock = new FakeClock();
    const breakers = new MemoryCircuitBreakers({ options: OPTIONS, now: clock.now, maxKeys: 10 });
    for (let i = 0; i < 3; i++) breakers.record("down", false);
    for (let i = 0; i < 20; i++) breakers.record(`t${i}`, true);
    clock.advance(20_000);
    breakers.record("new", true);
    expect(breakers.keys().length).toBeLessThanOrEqual(10);
    expect(breakers.keys()).toContain("down");
  });
});
