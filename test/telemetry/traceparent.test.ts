import { describe, expect, it } from "vitest";
import { createTracing, formatTraceparent, NOOP_SPAN, parseTraceparent } from "../../src/telemetry/tracing.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${SPAN}-01`;

describe("parseTraceparent", () => {
  it("reads a version-00 header", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.flags).toBe(0);
  });

  it("accepts a later version with extra fields, reading the version-00 part", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`)).toEqual({ traceId: TRACE, spanId: SPAN, flags: 1 });
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["version 00 with extra fields", `${VALID}-extra`],
    ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["long span id", `00-${TRACE}-${SPAN}0-01`],
    ["non-hex", `00-${TRACE.slice(0, 31)}g-${SPAN}-01`],
    ["missing flags", `00-${TRACE}-${SPAN}`],
    ["later version glued to more text", `01-${TRACE}-${SPAN}-01x`],
  ])("rejects %s", (_label, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });

  it("formats what it parses", () => {
    const p = parseTraceparent(VALID)!;
    expect(formatTraceparent(p.traceId, p.spanId, p.flags)).toBe(VALID);
    expect(formatTraceparent(TRACE, SPAN, 0)).toBe(`00-${TRACE}-${SPAN}-00`);
  });
});

describe("tracing off (passthrough)", () => {
  it("gives every request without a traceparent the same no-op span", async () => {
    for (const config of [undefined, { enabled: false, service_name: "x", sample_ratio: 1 }]) {
      const tracing = await createTracing(config);
      expect(tracing.enabled).toBe(false);
      const a = tracing.startRequest("chat m", {});
      const b = tracing.startRequest("chat m", {});
      expect(a).toBe(NOOP_SPAN);
      expect(b).toBe(a);
      expect(a.traceId).toBeNull();
      expect(a.traceparent()).toBeUndefined();
      expect(a.child("chat up", {})).toBe(NOOP_SPAN);
      a.fail({ message: "x" });
      a.end();
      await tracing.shutdown();
    }
  });

  it("keeps the client's trace id and forwards its header unchanged to every attempt", async () => {
    const tracing = await createTracing({ enabled: false, service_name: "x", sample_ratio: 1 });
    const header = `01-${TRACE}-${SPAN}-01-future-field`;
    const span = tracing.startRequest("chat m", {}, header);
    expect(span.traceId).toBe(TRACE);
    expect(span.traceparent()).toBe(header);
    const attempt = span.child("chat up", {});
    expect(attempt.traceId).toBe(TRACE);
    expect(attempt.traceparent()).toBe(header);
  });

  it("ignores an invalid client header", async () => {
    const tracing = await createTracing(undefined);
    const span = tracing.startRequest("chat m", {}, `00-${"0".repeat(32)}-${SPAN}-01`);
    expect(span).toBe(NOOP_SPAN);
    expect(span.child("a", {}).traceparent()).toBeUndefined();
  });
});
