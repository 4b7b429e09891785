/**
 * What the engine learns about one request while serving it, and the single
 * place that turns it into a log row and metrics when the request ends.
 */
import type { Usage } from "../core/types.js";
import type { CacheControl, CacheStatus } from "../cache/index.js";
import type { ClientLink } from "../core/client-link.js";
import { NOOP_SPAN, type GenAiRequestFields, type SpanHandle } from "../telemetry/tracing.js";
import type { AttemptLogEntry, LogRow } from "../store/types.js";
import type { BudgetSubject } from "./quotas/budgets.js";
import type { QuotaSubject } from "./quotas/limits.js";

export type Endpoint = "/v1/chat/completions" | "/v1/completions" | "/v1/embeddings" | "/v1/messages";

export interface CallOptions {
  /** Defaults to a new id. */
  requestId?: string;
  /** Fires when the client goes away; the upstream call is cancelled. */
  signal?: AbortSignal;
  /** The same, as the HTTP server passes it (cheaper than a signal); wins over `signal`. */
  client?: ClientLink;
  /** Total time budget for this request (x-liaison-timeout-ms). */
  timeoutMs?: number;
  /** Tags kept with the log row (x-liaison-metadata). */
  metadata?: Record<string, unknown> | null;
  keyId?: string | null;
  teamId?: string | null;
  /** Whose limits and budgets this request counts against (the key and its team), set by authentication. */
  subjects?: (QuotaSubject & BudgetSubject)[];
  traceId?: string | null;
  /** The client's cache controls (Cache-Control, x-liaison-cache, x-liaison-cache-ttl); default: read and write. */
  cache?: CacheControl;
  /** The client's W3C traceparent header: the request's spans continue its trace, and the upstream sees it. */
  traceparent?: string;
  /** The route the request came in on, when it is not the operation's own (e.g. /v1/messages → chat). */
  endpoint?: Endpoint;
}

export interface CallMeta {
  requestId: string;
  provider: string;
  upstreamModel: string;
  attempts: number;
  /** USD, when the model's price is known (x-liaison-cost-usd). */
  costUsd: number | null;
  /** The response cache's verdict; null when the operation is not cached. */
  cache: CacheStatus | null;
  /** x-ratelimit-* for the caller's key/team, when it has limits. */
  rateLimitHeaders?: Record<string, string>;
}

export class RequestRecord {
  readonly startedAt = performance.now();
  readonly createdAt = new Date();
  provider: string | null = null;
  upstreamModel: string | null = null;
  attempts = 0;
  ttftMs: number | null = null;
  usage: Usage | undefined;
  costUsd: number | null = null;
  rateLimitHeaders: Record<string, string> | undefined;
  responseBody: unknown = null;
  /** The response cache's verdict (x-liaison-cache); null when the cache was not consulted. */
  cache: CacheStatus | null = null;
  /** What a cache hit would have cost upstream. */
  cacheSavedUsd: number | null = null;
  /** The trace this request belongs to (the client's traceparent or our own span), for the log row. */
  traceId: string | null = null;
  /** The request's span (a shared no-op when tracing is off and the client sent no traceparent). */
  span: SpanHandle = NOOP_SPAN;
  /** The attempt that answered: its span stays open until the answer is complete (streams), to carry usage. */
  attemptSpan: SpanHandle | undefined;
  /** The operation's own endpoint (a /v1/messages request is a chat operation). */
  operationEndpoint: Endpoint = "/v1/chat/completions";
  /** The validated request's GenAI fields (max_tokens, temperature, ...) for attempt spans; set only when tracing. */
  traceFields: GenAiRequestFields | undefined;
  /** finish_reason of each choice, as seen (for traces). */
  finishReasons: string[] | undefined;
  finished = false;
  /** Frozen when the request finishes (its log row and duration metric are made a tick later). */
  latencyMs: number | undefined;
  /** The outcome #finish recorded, kept until the log row is made. */
  status: number | undefined;
  errorCode: string | null | undefined;
  readonly attemptLog: AttemptLogEntry[] = [];

  constructor(
    readonly requestId: string,
    readonly endpoint: Endpoint,
    readonly model: string | null,
    readonly stream: boolean,
    readonly options: CallOptions,
    readonly requestBody: unknown,
  ) {}

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  meta(): CallMeta {
    return { requestId: this.requestId, provider: this.provider ?? "", upstreamModel: this.upstreamModel ?? "", attempts: this.attempts, costUsd: this.costUsd, cache: this.cache, ...(this.rateLimitHeaders ? { rateLimitHeaders: this.rateLimitHeaders } : {}) };
  }

  /** `redact` (personal data, secrets) is applied to everything from the client or upstream that gets stored. */
  toRow(status: number, errorCode: string | null, keepBodies: boolean, redact: <T>(value: T) => T = (v) => v): LogRow {
    return {
      id: this.requestId,
      created_at: this.createdAt.toISOString(),
      endpoint: this.endpoint,
      model: this.model,
      provider: this.provider,
      upstream_model: this.upstreamModel,
      status,
      error_code: errorCode,
      latency_ms: Math.round((this.latencyMs ?? this.elapsedMs()) * 1000) / 1000,
      ttft_ms: this.ttftMs === null ? null : Math.round(this.ttftMs * 1000) / 1000,
      attempts: this.attempts,
      prompt_tokens: this.usage?.prompt_tokens ?? null,
      completion_tokens: this.usage?.completion_tokens ?? null,
      cost_usd: this.costUsd,
      cache: this.cache,
      cache_saved_usd: this.cacheSavedUsd,
      key_id: this.options.keyId ?? null,
      team_id: this.options.teamId ?? null,
      trace_id: this.traceId ?? this.options.traceId ?? null,
      stream: this.stream,
      metadata: this.options.metadata ? redact(this.options.metadata) : null,
      request_body: keepBodies ? redact(this.requestBody) : null,
      response_body: keepBodies ? redact(this.responseBody) : null,
      // One clean attempt says nothing the row's own columns do not: the log is kept when there was more.
      // Upstream error text can quote what the client sent: redacted like the bodies.
      attempt_log: this.attemptLog.length > 1 || this.attemptLog[0]?.error ? redact(this.attemptLog) : null,
    };
  }
}
