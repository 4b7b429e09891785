/** The arithmetic of degraded mode, with a hand-moved clock: the last shared view moved on in time, added to the fallback's own counts, against a share of the limit. */
import { describe, expect, it } from "vitest";
import type { Admission, QuotaSubject } from "../../../src/engine/quotas/limits.js";
import { LastSharedCounts } from "../../../src/engine/quotas/last-shared-counts.js";
import { MemoryQuotaGate } from "../../../src/engine/quotas/memory-quota-gate.js";
import { WINDOW_MS, type WindowState } from "../../../src/engine/shared-state/sliding-window.js";
import { FakeClock } from "../health/fake-clock.js";

const W = 100; // a window index: minute 100 of the clock

describe("LastSharedCounts", () => {
  it("moves a view on as the window does: current → previous → forgotten", () => {
    const seen = new LastSharedCounts();
    seen.remember("key:a", { w: W, r: 20, t: 2_000, pr: 6, pt: 600 });
    expect(seen.at("key:a", W)).toEqual({ w: W, r: 20, t: 2_000, pr: 6, pt: 600 });
    expect(seen.at("key:a", W + 1)).toEqual({ w: W + 1, r: 0, t: 0, pr: 20, pt: 2_000 });
    expect(seen.at("key:a", W)).toEqual({ w: W, r: 20, t: 2_000, pr: 6, pt: 600 }); // at() gave copies
    expect(seen.at("key:a", W + 2)).toBeUndefined();
    expect(seen.size).toBe(0); // a view that counts for nothing is dropped
    expect(seen.at("key:never", W)).toBeUndefined();
  });

  it("a view taken a moment ahead of the asker's window (clocks a little apart) still counts in full", () => {
    const seen = new LastSharedCounts();
    seen.remember("key:a", { w: W + 1, r: 5, t: 0, pr: 7, pt: 0 });
    expect(seen.at("key:a", W)).toMatchObject({ r: 5, pr: 7 });
  });

  it("stays bounded: views older than two windows go as new ones come, and a cap drops the least recently seen", () => {
    const seen = new LastSharedCounts(3);
    for (const id of ["a", "b", "c", "d", "e"]) seen.remember(id, { w: W, r: 1, t: 0, pr: 0, pt: 0 });
    expect(seen.size).toBe(3);
    expect(seen.at("a", W)).toBeUndefined();
    expect(seen.at("c", W)).toBeDefined();
    seen.remember("c", { w: W, r: 2, t: 0, pr: 0, pt: 0 }); // seen again: now the most recent
    seen.remember("f", { w: W, r: 1, t: 0, pr: 0, pt: 0 });
    expect([seen.at("c", W)?.r, seen.at("d", W)]).toEqual([2, undefined]);

    const many = new LastSharedCounts();
    for (let i = 0; i < 1_000; i++) many.remember(`key:${i}`, { w: W, r: 1, t: 0, pr: 0, pt: 0 });
    many.remember("key:late", { w: W + 2, r: 1, t: 0, pr: 0, pt: 0 });
    expect(many.size).toBe(1);
  });
});

describe("MemoryQuotaGate with a baseline and a share (the Redis gate's fallback)", () => {
  const k = (limits: QuotaSubject["limits"]): QuotaSubject[] => [{ id: "key:a", limits }];

  function fallback(share: number, view: WindowState | undefined, inFlight = 0) {
    const clock = new FakeClock(W * WINDOW_MS + 30_000); // 30 s into minute 100
    const seen = new LastSharedCounts();
    if (view) seen.remember("key:a", view);
    const gate = new MemoryQuotaGate({ now: clock.now, share, baseline: (id, idx) => ({ window: seen.at(id, idx), inFlight }) });
    const admit = (subjects: QuotaSubject[], n: number, tokens = 0): number => {
      let ok = 0;
      for (let i = 0; i < n; i++) if (gate.admitNow(subjects, tokens).ok) ok++;
      return ok;
    };
    return { clock, gate, admit };
  }

  it("share 1: counts on from the shared view, which fades as a sliding window does", () => {
    // Shared: 20 in minute 99, 10 in minute 100; 30 s in they weigh 20 · ½ + 10 = 20.
    const { clock, admit } = fallback(1, { w: W, r: 10, t: 0, pr: 20, pt: 0 });
    expect(admit(k({ rpm: 30 }), 30)).toBe(10);
    clock.advance(30_000); // minute 101 begins: shared 10 and own 10 are the previous minute, at full weight
    expect(admit(k({ rpm: 30 }), 30)).toBe(10);
    clock.advance(30_000); // half-way: 20 · ½ + 10 = 20
    expect(admit(k({ rpm: 30 }), 30)).toBe(10);
  });

  it("share 0.5: the same view leaves nothing at first, then the instance's half as it fades", () => {
    const { clock, admit } = fallback(0.5, { w: W, r: 10, t: 0, pr: 20, pt: 0 });
    expect(admit(k({ rpm: 30 }), 30)).toBe(0); // 20 already counted, 15 allowed
    clock.advance(60_000); // 30 s into minute 101: the shared 10 weigh 5
    expect(admit(k({ rpm: 30 }), 30)).toBe(10);
  });

  it("the headers and refusals speak of the limit this instance enforces", () => {
    const { gate } = fallback(0.5, { w: W, r: 10, t: 400, pr: 0, pt: 0 });
    const a = gate.admitNow(k({ rpm: 30, tpm: 1_000 }), 50);
    expect(a.headers).toMatchObject({
      "x-ratelimit-limit-requests": "15", "x-ratelimit-remaining-requests": "4",
      "x-ratelimit-limit-tokens": "500", "x-ratelimit-remaining-tokens": "50",
    });
    const no: Admission = gate.admitNow(k({ rpm: 30, tpm: 1_000 }), 51);
    expect(no).toMatchObject({ ok: false, limit: "tpm", limitValue: 500, requested: 51 });
  });

  it("parallel: slots held outside the gate count; the share is floored, but never below 1", () => {
    expect(fallback(0.5, undefined, 1).admit(k({ maxParallel: 5 }), 5)).toBe(1); // floor(2.5) = 2, 1 held elsewhere
    expect(fallback(0.5, undefined, 0).admit(k({ maxParallel: 1 }), 5)).toBe(1);
    expect(fallback(0.5, undefined, 3).admit(k({ maxParallel: 4 }), 5)).toBe(0);
  });
});
