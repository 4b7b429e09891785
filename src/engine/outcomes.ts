/**
 * How a request ends: its outcome is frozen at once (status, error code,
 * latency), and what it is recorded as — metrics, spans, the log row — is
 * made on the next tick, after the server has written the answer (it does
 * so in the same run of microtasks that settles the call), so none of it
 * delays the client. That work runs where nothing would catch a throw, so
 * each part is guarded on its own and a failure is counted, never passed on.
 */
import type { GatewayError } from "../core/errors.js";
import type { LogWriter } from "../store/log-writer.js";
import type { ErrorReporter } from "../telemetry/error-reporter.js";
import type { InternalErrors } from "../telemetry/internal-errors.js";
import type { Logger } from "../telemetry/logger.js";
import type { Metrics } from "../telemetry/metrics.js";
import { reportUnexpected } from "../telemetry/report-unexpected.js";
import { NOOP_SPAN, type Tracing } from "../telemetry/tracing.js";
import { endSpans } from "./request-spans.js";
import type { RequestRecord } from "./request-record.js";

export interface OutcomesDeps {
  metrics: Metrics;
  tracing: Tracing;
  logger: Logger;
  errors: ErrorReporter;
  internalErrors: InternalErrors;
  writer: LogWriter | undefined;
  keepBodies: boolean;
  /** Personal data and secrets out of what is stored. */
  redact: <T>(value: T) => T;
}

/** Errors that say nothing about the upstream that was tried. */
const NOT_UPSTREAM = new Set(["client_closed", "invalid_request", "model_not_found"]);

/**
 * Distinct model names the metrics' `model` labels carry; a name first seen
 * past it is counted as OTHER_MODEL. A client chooses the name after
 * `provider/` (and an upstream that ignores names answers any), and every
 * distinct label value is a series kept for the life of the process: without
 * a bound, a key could grow the gateway's memory and every scrape of
 * /metrics by sending made-up names.
 */
export const MAX_MODEL_LABELS = 1_000;
export const OTHER_MODEL = "_other";

class BoundedLabel {
  readonly #seen = new Set<string>();
  value(name: string): string {
    if (this.#seen.has(name)) return name;
    if (this.#seen.size >= MAX_MODEL_LABELS) return OTHER_MODEL;
    this.#seen.add(name);
    return name;
  }
}

export class Outcomes {
  readonly #d: OutcomesDeps;
  readonly #models = new BoundedLabel();
  readonly #upstreamModels = new BoundedLabel();
  #inFlight = 0;
  /** Requests finished but not yet recorded; close() records them first. */
  #pending: RequestRecord[] = [];
  readonly #recordPending = (): void => {
    const recs = this.#pending;
    this.#pending = [];
    for (const rec of recs) this.#record(rec);
  };

  constructor(deps: OutcomesDeps) {
    this.#d = deps;
  }

  /** Requests begun and not yet ended (a stream ends when its relay does). */
  get inFlight(): number {
    return this.#inFlight;
  }

  begun(): void {
    this.#inFlight++;
  }

  ended(): void {
    this.#inFlight--;
  }

  /** The request ended with this status (the first outcome stands). */
  finish(rec: RequestRecord, status: number, errorCode: string | null): void {
    if (!rec.finish(status, errorCode)) return;
    this.#pending.push(rec);
    // One tick per batch of finished requests.
    if (this.#pending.length === 1) process.nextTick(this.#recordPending);
  }

  /**
   * The request failed: a bug is reported, the spans say why, the error
   * learns which upstream it came from (x-liaison-* headers). `status` is
   * 200 for a stream that broke after it began: the error code tells what
   * went wrong after.
   */
  fail(rec: RequestRecord, e: GatewayError, status = e.status): void {
    if (e.code === "internal_error" && !rec.finished) {
      reportUnexpected(this.#d, e.cause ?? e, { requestId: rec.requestId, route: rec.endpoint, ...(rec.traceId ? { traceId: rec.traceId } : {}) });
    }
    if (rec.span !== NOOP_SPAN && !rec.finished) {
      const failure = { code: e.clientCode ?? e.code, message: e.message, status: e.status };
      rec.span.fail(failure);
      // A stream that broke after its first chunk: the answering attempt failed too.
      if (rec.attemptSpan && status === 200) rec.attemptSpan.fail(failure);
    }
    if (rec.attempts > 0) e.route = { provider: rec.provider ?? "", upstreamModel: rec.upstreamModel ?? "", attempts: rec.attempts };
    if (rec.provider && !NOT_UPSTREAM.has(e.code)) this.#d.metrics.upstreamErrors.inc({ provider: rec.provider, code: e.code });
    this.finish(rec, status, e.clientCode ?? e.code);
  }

  /** Records what finished in this same turn (at shutdown). */
  flush(): void {
    this.#recordPending();
  }

  #record(rec: RequestRecord): void {
    const d = this.#d;
    const status = rec.status!;
    try {
      if (rec.usage && rec.upstreamModel) {
        // Only names an upstream answered to reach these labels: an upstream refuses a made-up model before it bills usage.
        const usage = d.metrics.usageChild.get(rec.provider ?? "", this.#upstreamModels.value(rec.upstreamModel));
        usage.prompt.inc(rec.usage.prompt_tokens ?? 0);
        usage.completion.inc(rec.usage.completion_tokens ?? 0);
        if (rec.costUsd) usage.cost.inc(rec.costUsd);
      }
      // The model label only carries names that resolved to a route, and at most MAX_MODEL_LABELS of them: client-chosen strings must not grow the series count.
      d.metrics.requestChild.get(rec.endpoint, rec.provider ? this.#models.value(rec.model ?? "") : "", rec.provider ?? "", String(status)).inc();
      d.metrics.durationChild.get(rec.endpoint).observe(rec.latencyMs! / 1000);
      if (rec.ttftMs !== null) d.metrics.ttftChild.get(rec.endpoint).observe(rec.ttftMs / 1000);
    } catch (err) {
      d.internalErrors.report("metrics", err);
    }
    if (rec.span !== NOOP_SPAN) {
      try {
        endSpans(d.tracing, rec, status);
      } catch (err) {
        d.internalErrors.report("tracing", err);
      }
    }
    if (d.writer) {
      try {
        d.writer.enqueue(rec.toRow(status, rec.errorCode ?? null, d.keepBodies, d.redact));
      } catch (err) {
        d.internalErrors.report("log_row", err);
      }
    }
  }
}
