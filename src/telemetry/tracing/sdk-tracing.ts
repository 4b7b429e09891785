/**
 * Tracing with the OpenTelemetry SDK: spans batched and exported over
 * OTLP/HTTP (JSON). Loaded only through a dynamic import from tracing.ts, so
 * a gateway without tracing never pays for the SDK.
 *
 * Nothing is registered globally (no global tracer provider, context manager
 * or propagator): parents are passed explicitly, which costs no
 * AsyncLocalStorage on the request path and leaves an embedding
 * application's own OpenTelemetry setup alone.
 */
import {
  ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes as OtelAttributes, type Context, type Span, type Tracer,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler,
  type ReadableSpan, type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { scrubSecrets } from "../scrub-secrets.js";
import { SEMCONV } from "./gen-ai.js";
import { formatTraceparent, parseTraceparent } from "./traceparent.js";
import type { Attributes, SpanFailure, SpanHandle, Tracing, TracingConfig, TracingLog } from "./types.js";

const TRACES_PATH = "/v1/traces";
/** At most one warning per interval about failed exports: a collector that is down should not flood the log. */
const WARN_INTERVAL_MS = 60_000;

/** A base URL gets the signal path; a URL already naming it is kept. */
export function tracesUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return trimmed.endsWith(TRACES_PATH) ? trimmed : `${trimmed}${TRACES_PATH}`;
}

function toOtel(attributes: Attributes): OtelAttributes {
  const out: OtelAttributes = {};
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    // Arrays are copied: the SDK keeps the value, and callers may reuse theirs.
    out[key] = Array.isArray(value) ? [...(value as unknown[])] as OtelAttributes[string] : value as OtelAttributes[string];
  }
  return out;
}

class SdkSpan implements SpanHandle {
  readonly traceId: string;
  #ended = false;

  constructor(private readonly tracer: Tracer, private readonly span: Span) {
    this.traceId = span.spanContext().traceId;
  }

  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(toOtel(attributes));
  }

  fail(error: SpanFailure): void {
    // Messages can quote upstream text; keys in it must not reach the tracing backend.
    const message = scrubSecrets(error.message);
    const type = error.code ?? "_OTHER";
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    this.span.setAttribute(SEMCONV.ERROR_TYPE, type);
    if (error.status !== undefined) this.span.setAttribute(SEMCONV.HTTP_RESPONSE_STATUS_CODE, error.status);
    this.span.addEvent("exception", { "exception.type": type, "exception.message": message });
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.span.end();
  }

  child(name: string, attributes: Attributes): SpanHandle {
    return startSpan(this.tracer, name, SpanKind.CLIENT, attributes, trace.setSpan(ROOT_CONTEXT, this.span));
  }

  traceparent(): string {
    const ctx = this.span.spanContext();
    return formatTraceparent(ctx.traceId, ctx.spanId, ctx.traceFlags);
  }
}

function startSpan(tracer: Tracer, name: string, kind: SpanKind, attributes: Attributes, parent: Context): SdkSpan {
  return new SdkSpan(tracer, tracer.startSpan(name, { kind, attributes: toOtel(attributes) }, parent));
}

/** Reports failed exports (the SDK itself only tells its global diag logger, which we leave unset). */
class ReportingExporter implements SpanExporter {
  #lastWarning = 0;
  #droppedSinceWarning = 0;

  constructor(private readonly inner: SpanExporter, private readonly url: string, private readonly log?: TracingLog) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter["export"]>[1]): void {
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS is 0 (the enum lives in @opentelemetry/core, which we do not depend on).
      if (result.code !== 0) this.#warn(spans.length, result.error);
      done(result);
    });
  }

  #warn(dropped: number, error: Error | undefined): void {
    this.#droppedSinceWarning += dropped;
    const now = Date.now();
    if (now - this.#lastWarning < WARN_INTERVAL_MS) return;
    this.#lastWarning = now;
    this.log?.warn({ url: this.url, spans_dropped: this.#droppedSinceWarning, err: error?.message }, "trace export failed");
    this.#droppedSinceWarning = 0;
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export function createSdkTracing(config: TracingConfig, log?: TracingLog): Tracing {
  const url = config.endpoint === undefined ? undefined : tracesUrl(config.endpoint);
  const exporter = new OTLPTraceExporter({
    ...(url === undefined ? {} : { url }),
    ...(config.headers === undefined ? {} : { headers: config.headers }),
    ...(config.export_timeout_ms === undefined ? {} : { timeoutMillis: config.export_timeout_ms }),
  });
  const batch = config.batch ?? {};
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ "service.name": config.service_name })),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sample_ratio) }),
    spanProcessors: [
      new BatchSpanProcessor(new ReportingExporter(exporter, url ?? "(OTEL_EXPORTER_OTLP_* or default)", log), {
        ...(batch.max_queue_size === undefined ? {} : { maxQueueSize: batch.max_queue_size }),
        ...(batch.max_export_batch_size === undefined ? {} : { maxExportBatchSize: batch.max_export_batch_size }),
        ...(batch.scheduled_delay_ms === undefined ? {} : { scheduledDelayMillis: batch.scheduled_delay_ms }),
        ...(config.export_timeout_ms === undefined ? {} : { exportTimeoutMillis: config.export_timeout_ms }),
      }),
    ],
  });
  const tracer = provider.getTracer("liaison");
  let stopped: Promise<void> | undefined;

  return {
    enabled: true,
    startRequest(name: string, attributes: Attributes, traceparent?: string): SpanHandle {
      const remote = parseTraceparent(traceparent);
      const parent = remote
        ? trace.setSpanContext(ROOT_CONTEXT, { traceId: remote.traceId, spanId: remote.spanId, traceFlags: remote.flags, isRemote: true })
        : ROOT_CONTEXT;
      return startSpan(tracer, name, SpanKind.SERVER, attributes, parent);
    },
    shutdown(): Promise<void> {
      // A collector that is down must not fail the gateway's shutdown; the exporter has said what was lost.
      stopped ??= provider.shutdown().catch((err: unknown) => {
        log?.warn({ err: (err as Error).message }, "tracing shutdown: last spans not exported");
      });
      return stopped;
    },
  };
}
