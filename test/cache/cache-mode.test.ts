/** Request headers → cache mode. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import { cacheMode } from "../../src/cache/cache-mode.js";

describe("cacheMode", () => {
  it("reads and writes by default", () => {
    expect(cacheMode({})).toEqual({ mode: "normal", write: true });
    expect(cacheMode({ "cache-control": "no-transform" })).toEqual({ mode: "normal", write: true });
  });

  it("maps the documented controls", () => {
    expect(cacheMode({ "x-liaison-cache": "bypass" })).toEqual({ mode: "bypass", write: false });
    expect(cacheMode({ "x-liaison-cache": "Refresh" })).toEqual({ mode: "refresh", write: true });
    expect(cacheMode({ "cache-control": "no-store" })).toEqual({ mode: "bypass", write: false });
    expect(cacheMode({ "cache-control": "No-Cache" })).toEqual({ mode: "refresh", write: true });
  });

  it("lets the most restrictive control win, whatever the order", () => {
    expect(cacheMode({ "cache-control": "no-store, no-cache" }).mode).toBe("bypass");
    expect(cacheMode({ "cache-control": "no-cache", "x-liaison-cache": "bypass" }).mode).toBe("bypass");
    expect(cacheMode({ "cache-control": "no-store", "x-liaison-cache": "refresh" }).mode).toBe("bypass");
    expect(cacheMode({ "cache-control": ["max-age=60", "no-cache"] })).toEqual({ mode: "refresh", write: true, maxAgeMs: 60_000 });
  });

  it("reads max-age and a per-request TTL", () => {
    expect(cacheMode({ "cache-control": "max-age=30" })).toEqual({ mode: "normal", write: true, maxAgeMs: 30_000 });
    expect(cacheMode({ "cache-control": "max-age=0" }).mode).toBe("refresh");
    expect(cacheMode({ "x-liaison-cache-ttl": "600" })).toEqual({ mode: "normal", write: true, ttlMs: 600_000 });
  });

  it("rejects values it does not know (400), so a typo cannot silently change caching", () => {
    for (const headers of [{ "x-liaison-cache": "bypas" }, { "x-liaison-cache-ttl": "10m" }, { "x-liaison-cache-ttl": "0" }, { "cache-control": "max-age=-1" }]) {
      let err: unknown;
      try {
        cacheMode(headers);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
    }
  });
});
