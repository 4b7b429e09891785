import { describe, expect, it } from "vitest";
import { RedisOutage } from "../../../src/engine/shared-state/redis-outage.js";
import { FakeClock } from "./fake-clock.js";

describe("RedisOutage", () => {
  it("reports at once, then at most every 10 s; tries a down Redis once a second", () => {
    const clock = new FakeClock();
    const reports: unknown[] = [];
    let recovered = 0;
    const o = new RedisOutage({ now: clock.now, onError: (e) => reports.push(e), onRecover: () => recovered++ });
    expect(o.shouldTry()).toBe(true);
    o.failed(new Error("1"));
    o.failed(new Error("2"));
    expect(reports).toHaveLength(1);
    expect(o.shouldTry()).toBe(false);
    clock.advance(1_000);
    expect(o.shouldTry()).toBe(true);
    expect(o.shouldTry()).toBe(false);
    expect(o.succeeded()).toBe(true);
    expect(o.succeeded()).toBe(false);
    expect(recovered).toBe(1);
    o.failed(new Error("flap")); // a new outage within 10 s of the last report: folded into it
    expect(reports).toHaveLength(1);
    clock.advance(10_000);
    o.failed(new Error("3"));
    expect(reports).toHaveLength(2);
  });

  it("a throwing hook does not reach the caller", () => {
    const o = new RedisOutage({ onError: () => { throw new Error("hook"); }, onRecover: () => { throw new Error("hook"); } });
    expect(() => o.failed(new Error("x"))).not.toThrow();
    expect(() => o.succeeded()).not.toThrow();
  });
});
