/**
 * canonicalTimestamp's fast path (a string already in toISOString() form is
 * returned as is) must agree with the Date round trip on every input.
 */
import { describe, expect, it } from "vitest";
import { canonicalTimestamp } from "../../src/store/log-query.js";

function slow(value: string): string | "invalid" {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? "invalid" : new Date(ms).toISOString();
}

function fast(value: string): string | "invalid" {
  try {
    return canonicalTimestamp(value, "since");
  } catch {
    return "invalid";
  }
}

describe("canonicalTimestamp", () => {
  it("agrees with the Date round trip on edge dates, near-misses and other ISO forms", () => {
    const cases = [
      "2025-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2023-02-29T00:00:00.000Z", "2000-02-29T12:00:00.000Z",
      "1900-02-29T12:00:00.000Z", "2025-02-30T00:00:00.000Z", "2025-04-31T00:00:00.000Z", "2025-12-31T23:59:59.999Z",
      "2025-13-01T00:00:00.000Z", "2025-00-10T00:00:00.000Z", "2025-01-00T00:00:00.000Z", "2025-01-01T24:00:00.000Z",
      "2025-01-01T23:60:00.000Z", "2025-01-01T23:59:60.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
      "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.000+00:00", "2025-01-01T01:00:00.000+01:00", "2025-01-01", "2025-01-01T00:00:00.0000Z",
      "2025-1-01T00:00:00.000Z", "+002025-01-01T00:00:00.000Z", "yesterday", "", " 2025-01-01T00:00:00.000Z",
    ];
    for (const value of cases) expect(fast(value), value).toBe(slow(value));
  });

  it("returns the same string for 20 000 random instants across years 0000-9999, and for their near-misses", () => {
    const max = Date.parse("9999-12-31T23:59:59.999Z");
    const min = Date.parse("0000-01-01T00:00:00.000Z");
    for (let i = 0; i < 20_000; i++) {
      const iso = new Date(min + Math.floor(Math.random() * (max - min))).toISOString();
      expect(fast(iso)).toBe(iso);
      // The same digits with the day pushed to 29..31: valid or not depending on month and year.
      const nearMiss = `${iso.slice(0, 8)}${String(29 + (i % 3))}${iso.slice(10)}`;
      expect(fast(nearMiss), nearMiss).toBe(slow(nearMiss));
    }
  });
});
