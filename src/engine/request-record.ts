/**
 * What the engine learns about one request while serving it, and the single
 * place that turns it into a log row. Steps read it freely and write it only
 * through the named methods below, each saying what happened.
 */
import type { Usage } from "../core/types.js";
import type { CacheStatus } from "../cache/index.js";
import { NOOP_SPAN, type GenAiRequestFields, type SpanHandle } from "../telemetry/tracing.js";
import type { AttemptLogEntry, LogRow } from "../store/types.js";
import type { CallMeta, CallOptions, Endpoint } from "./call-options.js";

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

export class RequestRecord {
  readonly startedAt = performance.now();
  readonly createdAt = new Date();
  #provider: string | null = null;
  #upstreamModel: string | null = null;
  #priceModel: string | undefined;
  #servedModel: string | undefined;
  #attempts = 0;
  #ttftMs: number | null = null;
  #usage: Usage | undefined;
  #costUsd: number | null = null;
  #rateLimitHeaders: Record<string, string> | undefined;
  #responseBody: unknown = null;
  #cache: CacheStatus | null = null;
  #cacheSavedUsd: number | null = null;
  #traceId: string | null = null;
  #span: SpanHandle = NOOP_SPAN;
  #attemptSpan: SpanHandle | undefined;
  #traceFields: GenAiRequestFields | undefined;
  #finishReasons: string[] | undefined;
  #finished = false;
  #latencyMs: number | undefined;
  #status: number | undefined;
  #errorCode: string | null | undefined;
  readonly #attemptLog: AttemptLogEntry[] = [];
  #routeScore: number | null = null;
  #routeTarget: string | null = null;
  /** A cascade's earlier answers, judged doubtful: their targets and what they cost. */
  #escalatedFrom: string[] | undefined;
  #escalatedUsd = 0;

  constructor(
    readonly requestId: string,
    /** The route the request came in on (a /v1/messages request is logged as such). */
    readonly endpoint: Endpoint,
    readonly model: string | null,
    readonly stream: boolean,
    readonly options: CallOptions,
    readonly requestBody: unknown,
    /** The operation's own endpoint (a /v1/messages request is a chat operation). */
    readonly operationEndpoint: Endpoint = endpoint,
  ) {}

  get provider(): string | null { return this.#provider; }
  get upstreamModel(): string | null { return this.#upstreamModel; }
  /** The catalogue model the answering target is priced as, when its config names one. */
  get priceModel(): string | undefined { return this.#priceModel; }
  /** The model the upstream said it served (an Azure deployment's real model), when it said. */
  get servedModel(): string | undefined { return this.#servedModel; }
  get attempts(): number { return this.#attempts; }
  get ttftMs(): number | null { return this.#ttftMs; }
  get usage(): Usage | undefined { return this.#usage; }
  get costUsd(): number | null { return this.#costUsd; }
  /** The response cache's verdict (x-liaison-cache); null when the cache was not consulted. */
  get cache(): CacheStatus | null { return this.#cache; }
  /** The trace this request belongs to (the client's traceparent or our own span), for the log row. */
  get traceId(): string | null { return this.#traceId; }
  /** The request's span (a shared no-op when tracing is off and the client sent no traceparent). */
  get span(): SpanHandle { return this.#span; }
  /** The attempt that answered: its span stays open until the answer is complete (streams), to carry usage. */
  get attemptSpan(): SpanHandle | undefined { return this.#attemptSpan; }
  /** The validated request's GenAI fields (max_tokens, temperature, ...) for attempt spans; set only when tracing. */
  get traceFields(): GenAiRequestFields | undefined { return this.#traceFields; }
  /** finish_reason of each choice, as seen (for traces). */
  get finishReasons(): string[] | undefined { return this.#finishReasons; }
  get finished(): boolean { return this.#finished; }
  /** Frozen when the request finishes (its log row and duration metric are made a tick later). */
  get latencyMs(): number | undefined { return this.#latencyMs; }
  get status(): number | undefined { return this.#status; }
  get errorCode(): string | null | undefined { return this.#errorCode; }
  get attemptLog(): readonly AttemptLogEntry[] { return this.#attemptLog; }
  get fromCache(): boolean { return this.#cache === "hit" || this.#cache === "semantic-hit"; }
  /** The learned router's score for the prompt (0–1), when a learned or cascade route scored it. */
  get routeScore(): number | null { return this.#routeScore; }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** The request's span has started (tracing on, or a client traceparent to carry). */
  traced(span: SpanHandle): void {
    this.#span = span;
    this.#traceId = span.traceId;
  }

  /** The request's GenAI fields, for the attempt spans. */
  describedForTraces(fields: GenAiRequestFields): void {
    this.#traceFields = fields;
  }

  /** The caller's limits admitted the request; these are its x-ratelimit-* headers. */
  limitedBy(headers: Record<string, string>): void {
    this.#rateLimitHeaders = headers;
  }

  cacheVerdict(status: CacheStatus): void {
    this.#cache = status;
  }

  /** A cached answer stands in for the upstream call: no attempts, nothing billed, and what it saved remembered. */
  servedFromCache(answer: { provider: string; upstreamModel: string; costUsd: number | null }): void {
    this.#provider = answer.provider;
    this.#upstreamModel = answer.upstreamModel;
    this.#costUsd = 0;
    this.#cacheSavedUsd = answer.costUsd;
  }

  /** An upstream attempt begins on this target. */
  attempted(target: { provider: { name: string }; model: string; priceModel?: string }): void {
    this.#attempts++;
    this.#provider = target.provider.name;
    this.#upstreamModel = target.model;
    this.#priceModel = target.priceModel;
    this.#servedModel = undefined;
  }

  /** The upstream named the model that answered (response.model). */
  servedBy(model: unknown): void {
    if (typeof model === "string" && model) this.#servedModel = model;
  }

  /** How an attempt went, for the log row's attempt_log. */
  loggedAttempt(entry: AttemptLogEntry): void {
    this.#attemptLog.push(entry);
  }

  /** What the engine did after the last attempt failed (retry, a fallback): noted on its log entry. */
  movedOn(next: NonNullable<AttemptLogEntry["next"]>): void {
    const last = this.#attemptLog[this.#attemptLog.length - 1];
    if (last) last.next = next;
  }

  /** The attempt whose span ends with the answer (a stream's usage comes last). */
  answeredBy(span: SpanHandle | undefined): void {
    this.#attemptSpan = span;
  }

  /** The first chunk of a stream reached the relay. */
  firstChunk(): void {
    if (this.#ttftMs === null) this.#ttftMs = this.elapsedMs();
  }

  used(usage: Usage | undefined): void {
    this.#usage = usage;
  }

  /** A whole answer's finish_reasons (the last attempt's stand). */
  finishedWith(reasons: string[] | undefined): void {
    this.#finishReasons = reasons;
  }

  /** A stream's finish_reasons, as its chunks report them. */
  sawFinishReasons(reasons: readonly string[]): void {
    if (reasons.length) (this.#finishReasons ??= []).push(...reasons);
  }

  /** The answer's price; a cascade's earlier calls are added (unknown when the answer's own price is). */
  priced(costUsd: number | null): void {
    this.#costUsd = costUsd === null || !this.#escalatedFrom ? costUsd : costUsd + this.#escalatedUsd;
  }

  /** A learned router scored the prompt and chose `target` (provider/model). */
  routed(score: number, target: string): void {
    this.#routeScore = score;
    this.#routeTarget = target;
  }

  /**
   * A cascade judged `target`'s answer doubtful and moves on; `costUsd` is
   * what that call cost. False when it already moved on from this target
   * (the stronger ones then failed): the answer stands.
   */
  escalated(target: string, costUsd: number | null): boolean {
    if (this.#escalatedFrom?.includes(target)) return false;
    (this.#escalatedFrom ??= []).push(target);
    this.#escalatedUsd += costUsd ?? 0;
    return true;
  }

  /** What is kept of the answer when logging.bodies is on. */
  answered(body: unknown): void {
    this.#responseBody = body;
  }

  /** Freezes the outcome; false when the request had already finished (the first outcome stands). */
  finish(status: number, errorCode: string | null): boolean {
    if (this.#finished) return false;
    this.#finished = true;
    this.#latencyMs = this.elapsedMs();
    this.#status = status;
    this.#errorCode = errorCode;
    return true;
  }

  meta(): CallMeta {
    const meta: CallMeta = { requestId: this.requestId, provider: this.#provider ?? "", upstreamModel: this.#upstreamModel ?? "", attempts: this.#attempts, costUsd: this.#costUsd, cache: this.#cache, ...(this.#rateLimitHeaders ? { rateLimitHeaders: this.#rateLimitHeaders } : {}) };
    if (this.#routeScore !== null) meta.routeScore = this.#routeScore;
    return meta;
  }

  /** `redact` (personal data, secrets) is applied to everything from the client or upstream that gets stored. */
  toRow(status: number, errorCode: string | null, keepBodies: boolean, redact: <T>(value: T) => T = (v) => v): LogRow {
    const log = this.#attemptLog;
    return {
      id: this.requestId,
      created_at: this.createdAt.toISOString(),
      endpoint: this.endpoint,
      model: this.model,
      provider: this.#provider,
      upstream_model: this.#upstreamModel,
      status,
      error_code: errorCode,
      latency_ms: round3(this.#latencyMs ?? this.elapsedMs()),
      ttft_ms: this.#ttftMs === null ? null : round3(this.#ttftMs),
      attempts: this.#attempts,
      prompt_tokens: this.#usage?.prompt_tokens ?? null,
      completion_tokens: this.#usage?.completion_tokens ?? null,
      cost_usd: this.#costUsd,
      cache: this.#cache,
      cache_saved_usd: this.#cacheSavedUsd,
      key_id: this.options.keyId ?? null,
      team_id: this.options.teamId ?? null,
      trace_id: this.#traceId ?? this.options.traceId ?? null,
      stream: this.stream,
      metadata: this.options.metadata ? redact(this.options.metadata) : null,
      request_body: keepBodies ? redact(this.requestBody) : null,
      response_body: keepBodies ? redact(this.#responseBody) : null,
      // One clean attempt says nothing the row's own columns do not: the log is kept when there was more.
      // Upstream error text can quote what the client sent: redacted like the bodies.
      attempt_log: log.length > 1 || log[0]?.error ? redact(log as AttemptLogEntry[]) : null,
      route_score: this.#routeScore === null ? null : Math.round(this.#routeScore * 1e4) / 1e4,
      route_target: this.#routeTarget,
      feedback_score: null,
      feedback_comment: null,
      prompt: this.options.prompt?.name ?? null,
      prompt_version: this.options.prompt?.version ?? null,
    };
  }
}
