/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header).
 *
 * Parsed by hand rather than with @opentelemetry/core's propagator: with
 * tracing off the gateway still honours a client's header, and loading the
 * SDK for that would cost the memory the lazy loading is there to save. The
 * enabled path uses this same parser so both modes accept exactly the same
 * headers.
 */

export interface TraceParent {
  /** 32 lower-case hex digits, not all zero. */
  traceId: string;
  /** 16 lower-case hex digits, not all zero. */
  spanId: string;
  /** The trace-flags byte (bit 0 = sampled). */
  flags: number;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A later version must start with the version-00 fields; anything it appends follows a dash.
const FUTURE_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** The parsed header, or null when it is absent or invalid (then the request starts a new trace). */
export function parseTraceparent(header: string | undefined): TraceParent | null {
  if (header === undefined) return null;
  const value = header.trim();
  let traceId: string | undefined;
  let spanId: string | undefined;
  let flags: string | undefined;
  const v00 = VERSION_00.exec(value);
  if (v00) {
    [, traceId, spanId, flags] = v00;
  } else {
    const later = FUTURE_VERSION.exec(value);
    // Version 00 with extra fields is invalid; "ff" is forbidden.
    if (!later || later[1] === "00" || later[1] === "ff") return null;
    [, , traceId, spanId, flags] = later;
  }
  if (traceId === undefined || spanId === undefined || flags === undefined) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, flags: Number.parseInt(flags, 16) };
}

/** A version-00 header for the given span. */
export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${(flags & 0xff).toString(16).padStart(2, "0")}`;
}
