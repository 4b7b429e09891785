/**
 * Tracing when no spans are exported. A request costs nothing here unless the
 * client sent a traceparent; then its trace id is kept for the log row and the
 * header is forwarded upstream unchanged, so the upstream still joins the
 * client's trace.
 */
import { parseTraceparent } from "./traceparent.js";
import type { Attributes, SpanFailure, SpanHandle, Tracing } from "./types.js";

/** One shared handle for every request without a trace. */
export const NOOP_SPAN: SpanHandle = {
  traceId: null,
  setAttributes(_attributes: Attributes): void {},
  fail(_error: SpanFailure): void {},
  end(): void {},
  child(): SpanHandle {
    return NOOP_SPAN;
  },
  traceparent(): string | undefined {
    return undefined;
  },
};

/** The client's trace, carried through untouched: attempts share it, as the gateway adds no span of its own. */
class ForwardedTrace implements SpanHandle {
  constructor(readonly traceId: string, private readonly header: string) {}
  setAttributes(_attributes: Attributes): void {}
  fail(_error: SpanFailure): void {}
  end(): void {}
  child(): SpanHandle {
    return this;
  }
  traceparent(): string {
    return this.header;
  }
}

export const passthroughTracing: Tracing = {
  enabled: false,
  startRequest(_name: string, _attributes: Attributes, traceparent?: string): SpanHandle {
    if (traceparent === undefined) return NOOP_SPAN;
    const parent = parseTraceparent(traceparent);
    return parent ? new ForwardedTrace(parent.traceId, traceparent) : NOOP_SPAN;
  },
  async shutdown(): Promise<void> {},
};
