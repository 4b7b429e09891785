/** The tracing contract the engine and server program against, whichever mode is behind it. */

/** Span attribute values; `undefined` entries are skipped so callers can pass optional fields as they are. */
export type AttributeValue = string | number | boolean | readonly string[] | readonly number[] | readonly boolean[];
export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

export interface TracingConfig {
  /** Export spans. Off: no SDK is loaded, but a client's traceparent is still honoured and forwarded. */
  enabled: boolean;
  /** OTLP/HTTP endpoint: a base URL (`/v1/traces` is appended) or the full traces URL. Unset: the OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318. */
  endpoint?: string;
  /** Sent with every export (e.g. an API key for a hosted backend). */
  headers?: Record<string, string>;
  service_name: string;
  /** Share of new traces recorded, 0..1. A client's sampled flag is followed either way (parent-based). */
  sample_ratio: number;
  export_timeout_ms?: number;
  batch?: {
    max_queue_size?: number;
    max_export_batch_size?: number;
    scheduled_delay_ms?: number;
  };
}

export interface SpanFailure {
  /** A stable error code (GatewayError.code), recorded as `error.type`. */
  code?: string;
  message: string;
  /** HTTP status: the gateway's response on the request span, the upstream's on an attempt span. */
  status?: number;
}

export interface SpanHandle {
  /** For the log row's trace_id; null only when there is no trace at all (tracing off, no client traceparent). */
  readonly traceId: string | null;
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed: status ERROR, `error.type`, and an exception event with the code and message (never bodies). */
  fail(error: SpanFailure): void;
  /** Ends the span; later calls are ignored. */
  end(): void;
  /** A child span for one upstream attempt (kind CLIENT). */
  child(name: string, attributes: Attributes): SpanHandle;
  /** The W3C traceparent to send upstream for this span; undefined when there is nothing to propagate. */
  traceparent(): string | undefined;
}

export interface Tracing {
  /** Whether spans are recorded: when false, callers can skip building attributes. */
  readonly enabled: boolean;
  /** A request span (kind SERVER). `traceparent` is the client's header, if any: an invalid one is ignored. */
  startRequest(name: string, attributes: Attributes, traceparent?: string): SpanHandle;
  /** Exports what is buffered and stops; spans started afterwards are not exported. */
  shutdown(): Promise<void>;
}

/** Where tracing reports its own trouble (export failures); a pino logger fits. */
export interface TracingLog {
  warn(obj: object, msg?: string): void;
}
