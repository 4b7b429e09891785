/**
 * The caller-went-away link: the server's callback link and a library
 * caller's AbortSignal both cancel the attempt in flight, with client_closed.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { GatewayError } from "../../src/core/errors.js";
import { CallbackLink, signalLink } from "../../src/core/client-link.js";
import { Engine } from "../../src/engine/engine.js";

describe("CallbackLink", () => {
  it("calls each listener once, forgets unsubscribed ones, and feeds a lazily made signal", () => {
    const link = new CallbackLink();
    const calls: string[] = [];
    link.onAbort(() => calls.push("a"));
    const off = link.onAbort(() => calls.push("b"));
    off();
    const signal = link.signal();
    expect(signal.aborted).toBe(false);
    link.abort();
    link.abort();
    expect(calls).toEqual(["a"]);
    expect(signal.aborted).toBe(true);
    expect(link.reason).toBeInstanceOf(GatewayError);
    expect(link.reason.code).toBe("client_closed");
    // Subscribing after the fact fires at once.
    link.onAbort(() => calls.push("late"));
    expect(calls).toEqual(["a", "late"]);
  });

  it("over an AbortSignal: the signal's state, and client_closed for a foreign reason", () => {
    const controller = new AbortController();
    const link = signalLink(controller.signal);
    let fired = 0;
    const off = link.onAbort(() => fired++);
    off();
    link.onAbort(() => fired++);
    controller.abort(new Error("mine"));
    expect(fired).toBe(1);
    expect(link.aborted).toBe(true);
    expect(link.reason.code).toBe("client_closed");
  });
});

describe("cancelling through the engine", () => {
  it("a library caller's AbortSignal cancels a slow upstream call with client_closed", async () => {
    const engine = await Engine.create(validateConfig({ logging: { requests: false }, providers: { slow: { type: "mock", latency_ms: 5_000 } } }));
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 50);
      await expect(engine.chat({ model: "slow/echo", messages: [{ role: "user", content: "hi" }] }, { signal: controller.signal }))
        .rejects.toMatchObject({ code: "client_closed" });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await engine.close();
    }
  });

  it("the server's link does the same", async () => {
    const engine = await Engine.create(validateConfig({ logging: { requests: false }, providers: { slow: { type: "mock", latency_ms: 5_000 } } }));
    try {
      const client = new CallbackLink();
      setTimeout(() => client.abort(), 50);
      await expect(engine.chat({ model: "slow/echo", messages: [{ role: "user", content: "hi" }] }, { client }))
        .rejects.toMatchObject({ code: "client_closed" });
    } finally {
      await engine.close();
    }
  });
});
