/**
 * The engine's public API: validate a request, open a call, send it through
 * the pipeline (./steps/index.ts), hand back the answer. The HTTP server
 * and the library both drive this class; nothing here knows about HTTP.
 */
import { toGatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { flatten } from "../core/batched.js";
import type { ChatChunk, ChatResponse, CompletionChunk, CompletionResponse, EmbeddingResponse, ModelInfo } from "../core/types.js";
import type { Config } from "../config/schema.js";
import type { ResponseCache } from "../cache/index.js";
import type { Authenticator } from "../keys/authenticator.js";
import type { KeyAdmin } from "../keys/key-admin.js";
import type { Store } from "../store/types.js";
import type { ErrorReporter } from "../telemetry/error-reporter.js";
import type { InternalErrors } from "../telemetry/internal-errors.js";
import type { Logger } from "../telemetry/logger.js";
import type { Metrics } from "../telemetry/metrics.js";
import type { Tracing } from "../telemetry/tracing.js";
import type { Call } from "./call.js";
import type { CallMeta, CallOptions, Endpoint, ToolCallRecord } from "./call-options.js";
import { ChatCall, ChatStreamCall } from "./calls/chat-call.js";
import { CompletionCall, CompletionStreamCall } from "./calls/completion-call.js";
import { EmbeddingCall } from "./calls/embedding-call.js";
import type { Health } from "./health/index.js";
import type { Outcomes } from "./outcomes.js";
import { compose, type Send } from "./pipeline.js";
import type { StreamReply, ValueReply } from "./reply.js";
import type { Quotas } from "./quotas/index.js";
import { RequestRecord } from "./request-record.js";
import { describeRequest, startRequestSpan, startToolSpan } from "./request-spans.js";
import type { Route, Router } from "./router.js";
import type { LiveTargetStats } from "./routing/target-stats.js";
import { PIPELINE, SEND } from "./steps/index.js";
import { validateChat, validateCompletion, validateEmbedding } from "./validate.js";
import { wireEngine, type EngineDeps, type EngineWiring } from "./wire-engine.js";
import { retireConfigParts } from "./config-parts.js";
import { Reloads, type ReloadResult } from "./reload.js";
import type { ChatRequest } from "../core/types.js";
import { countRequestTokens, type PriceCatalogue } from "../cost/index.js";
import { openCallScope } from "./call-scope.js";
import { modelAllowed, modelNotAllowedError } from "./quotas/index.js";

export type { EngineDeps } from "./wire-engine.js";
export type { ReloadResult } from "./reload.js";

export interface Result<T> { value: T; meta: CallMeta }
export interface StreamResult<T> {
  /** The chunks one by one (library callers). Read this or `batches`, not both. */
  stream: AsyncIterable<T>;
  /** The same chunks as they arrived together (the HTTP server writes each batch at once). */
  batches: AsyncIterable<T[]>;
  meta: CallMeta;
}

/**
 * A stream's result: its batches, and (for library callers) its chunks one by
 * one, flattened only when asked. A class, not an object literal with a
 * getter: the literal's own accessor measurably doubled the GC work of a
 * stream in the bench (docs/benchmarks.md).
 */
class RelayedStream<T> implements StreamResult<T> {
  constructor(readonly batches: AsyncGenerator<T[]>, readonly meta: CallMeta) {}

  get stream(): AsyncIterable<T> {
    return flatten(this.batches);
  }
}

/** A kind of call (./calls/*): made from the record, the validated request and its route. */
type CallKind<R> = new (rec: RequestRecord, request: R, route: Route, options: CallOptions, keepBodies: boolean, cached: boolean) => Call;

/** The pipeline of one generation of the wiring: its steps around the innermost send. */
function pipelineOf(w: EngineWiring): Send {
  const steps = w.steps ? w.steps(PIPELINE) : PIPELINE;
  return compose(steps.map((s) => s.step(w)), SEND(w));
}

/** How long /ready waits for the store's ping. */
const READY_TIMEOUT_MS = 2_000;

export class Engine {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly store: Store | undefined;
  readonly stats: LiveTargetStats;
  readonly health: Health;
  /** Resolves presented keys to principals (the server's auth hook; library callers may use it too). */
  readonly auth: Authenticator;
  /** Key and team administration (the admin API); undefined without a store. */
  readonly keyAdmin: KeyAdmin | undefined;
  readonly quotas: Quotas;
  readonly tracing: Tracing;
  readonly errors: ErrorReporter;
  /** Where the bookkeeping after an answer reports what it could not do (counted and logged, never thrown). */
  readonly internalErrors: InternalErrors;
  /** The wiring and the pipeline built from it: one generation, replaced whole by a reload (requests in flight keep theirs). */
  #w: EngineWiring;
  #send: Send;
  readonly #outcomes: Outcomes;
  readonly #reloads: Reloads;

  private constructor(w: EngineWiring) {
    this.#w = w;
    ({ metrics: this.metrics, logger: this.logger, store: this.store, stats: this.stats, health: this.health } = w);
    ({ auth: this.auth, keyAdmin: this.keyAdmin, quotas: this.quotas, tracing: this.tracing, errors: this.errors, internalErrors: this.internalErrors } = w);
    this.#outcomes = w.outcomes;
    this.#send = pipelineOf(w);
    this.#reloads = new Reloads(() => this.#w, (next) => {
      this.#w = next;
      this.#send = pipelineOf(next);
    }, (body, options) => this.embed(body, options));
  }

  /** Builds the engine: opens the store (running migrations) unless one is given. */
  static async create(config: Config, deps: EngineDeps = {}): Promise<Engine> {
    // The semantic cache embeds through the engine it is part of: the wiring gets it late, through this box.
    const built: { engine?: Engine } = {};
    built.engine = new Engine(await wireEngine(config, deps, (body, options) => built.engine!.embed(body, options)));
    return built.engine;
  }

  /** The configuration in force (after a reload, the new one; sections that need a restart keep their start-up values). */
  get config(): Config {
    return this.#w.config;
  }

  get router(): Router {
    return this.#w.router;
  }

  /** The prices the engine bills with (config, prices.file, the catalogue). */
  get catalogue(): PriceCatalogue {
    return this.#w.catalogue;
  }

  /** The response cache; undefined unless cache.enabled. */
  get cache(): ResponseCache | undefined {
    return this.#w.responseCache;
  }

  /**
   * Applies a new configuration without a restart (docs/operations.md):
   * providers, models, routing, prices, timeouts, aliases and cache take
   * effect for requests that start after it returns; requests in flight
   * finish on the old ones. Sections that need a restart keep their values
   * and are named in `restart_required`. An invalid config (a router file or
   * price file that cannot be read, …) throws a ConfigError and changes nothing.
   */
  reload(config: Config): Promise<ReloadResult> {
    return this.#reloads.apply(config);
  }

  get inFlight(): number {
    return this.#outcomes.inFlight;
  }

  listModels(): ModelInfo[] {
    return this.router.listModels(this.config);
  }

  async chat(body: unknown, options: CallOptions = {}): Promise<Result<ChatResponse>> {
    return this.#whole(this.#open(ChatCall, "/v1/chat/completions", false, body, options, validateChat));
  }

  async chatStream(body: unknown, options: CallOptions = {}): Promise<StreamResult<ChatChunk>> {
    return this.#streamed(this.#open(ChatStreamCall, "/v1/chat/completions", true, body, options, validateChat));
  }

  async completions(body: unknown, options: CallOptions = {}): Promise<Result<CompletionResponse>> {
    return this.#whole(this.#open(CompletionCall, "/v1/completions", false, body, options, validateCompletion));
  }

  async completionsStream(body: unknown, options: CallOptions = {}): Promise<StreamResult<CompletionChunk>> {
    return this.#streamed(this.#open(CompletionStreamCall, "/v1/completions", true, body, options, validateCompletion));
  }

  async embed(body: unknown, options: CallOptions = {}): Promise<Result<EmbeddingResponse>> {
    return this.#whole(this.#open(EmbeddingCall, "/v1/embeddings", false, body, options, validateEmbedding));
  }

  /** Records a request the server refused before it reached the engine (bad JSON, too large, auth). */
  recordRejected(endpoint: Endpoint, status: number, errorCode: string, requestId: string, options: CallOptions = {}): void {
    this.#outcomes.finish(new RequestRecord(requestId, endpoint, null, false, options, null), status, errorCode);
  }

  /**
   * The call for one request: its record (and span), the request validated
   * (and, with privacy.redact.before_upstream, redacted), its route. A
   * request refused here is recorded like any other.
   */
  #open<R extends { model: string }>(Kind: CallKind<R>, endpoint: Endpoint, stream: boolean, body: unknown, options: CallOptions, validate: (body: unknown) => R): Call {
    const w = this.#w;
    const model = typeof (body as { model?: unknown } | null)?.model === "string" ? (body as { model: string }).model : null;
    const rec = new RequestRecord(options.requestId ?? newId("req"), options.endpoint ?? endpoint, model, stream, options, w.keepBodies ? body : null, endpoint);
    startRequestSpan(this.tracing, rec, options.traceparent);
    try {
      const valid = validate(body);
      describeRequest(this.tracing, rec, valid);
      return new Kind(rec, w.outbound(valid), this.router.resolve(model ?? ""), options, w.keepBodies, w.responseCache !== undefined);
    } catch (err) {
      this.#outcomes.fail(rec, toGatewayError(err));
      throw err;
    }
  }

  async #whole<T>(call: Call): Promise<Result<T>> {
    const reply = (await this.#send(call)) as ValueReply;
    return { value: reply.value as T, meta: call.rec.meta() };
  }

  async #streamed<T>(call: Call): Promise<StreamResult<T>> {
    const reply = (await this.#send(call)) as StreamReply;
    return new RelayedStream(reply.batches as AsyncGenerator<T[]>, call.rec.meta());
  }

  /** Why the gateway is not ready, or undefined when it is: the store must answer, and take rows. */
  async notReady(): Promise<string | undefined> {
    if (!this.store) return undefined;
    if (this.#w.writer && !this.#w.writer.writable) return `the ${this.store.kind} store cannot write request-log rows (they wait in memory and in the spool)`;
    return (await this.ready()) ? undefined : `the ${this.store.kind} store does not answer`;
  }

  /** Whether the store answers a ping within two seconds (a partitioned database must not hold /ready for its connect timeout). */
  async ready(): Promise<boolean> {
    if (!this.store) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS); });
    try {
      return await Promise.race([this.store.ping().then(() => true, () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const w = this.#w;
    this.#outcomes.flush(); // requests that finished in this same turn
    await w.retention?.stop();
    await this.tracing.shutdown(); // flushes the last spans
    await this.errors.close();
    await this.quotas.close(); // flushes spend into the store, so before the store closes
    await this.cache?.close(); // waits for cache writes in flight
    await w.writer?.close();
    await this.health.close();
    await this.#reloads.close(); // the parts of earlier generations still waiting for their requests
    await retireConfigParts(w, { providers: new Map(), responseCache: w.responseCache }); // the cache is closed above
    await this.auth.close(); // flushes last_used_at before the store closes
    await this.store?.close();
  }

  /**
   * A chat request's input tokens, nothing generated: counted by the model's
   * first target's provider where it can (ProviderAdapter.countTokens, e.g.
   * Anthropic's count_tokens), else by the gateway's tokenizer. Not a call:
   * no pipeline, limits, cache or log row; the caller's key must allow the model.
   */
  async countTokens(request: ChatRequest, options: CallOptions = {}): Promise<{ inputTokens: number; counter: "upstream" | "tokenizer"; provider: string; upstreamModel: string }> {
    for (const s of options.subjects ?? []) if (!modelAllowed(s.limits, request.model)) throw modelNotAllowedError(s.id, request.model);
    const target = this.router.resolve(request.model).targets[0]!;
    const { provider, model } = target;
    const counted = { ...request, model };
    const about = { provider: provider.name, upstreamModel: model };
    if (!provider.countTokens) return { inputTokens: countRequestTokens(counted), counter: "tokenizer", ...about };
    const scope = openCallScope(options.requestId ?? newId("req"), this.#w.timeoutsOf(provider.name), options.client);
    if (options.providerHeaders) scope.ctx.providerHeaders = options.providerHeaders;
    try {
      return { inputTokens: await provider.countTokens(counted, scope.ctx), counter: "upstream", ...about };
    } catch (err) {
      const e = toGatewayError(err);
      this.#w.scrub(e); // no provider credentials in what the client sees
      throw e;
    } finally {
      scope.dispose();
    }
  }

  /**
   * Opens the record of one MCP tool call (src/mcp), not a model call: its span
   * starts now; `end` freezes the outcome and makes the log row (endpoint
   * "/mcp", model = the tool's full name, provider = its MCP server, the
   * arguments and result with logging.bodies, redacted like chat bodies), the
   * request metrics and liaison_mcp_* — off the request path, as a model call's.
   */
  openToolCall(tool: string, args: unknown, options: CallOptions = {}): ToolCallRecord {
    const rec = new RequestRecord(options.requestId ?? newId("req"), "/mcp", tool, false, options, this.#w.keepBodies ? args : null);
    startToolSpan(this.tracing, rec, options.traceparent);
    let server = "";
    return {
      requestId: rec.requestId,
      reached: (name, upstreamTool) => {
        server = name;
        rec.attempted({ provider: { name }, model: upstreamTool });
      },
      end: (outcome) => {
        if (rec.finished) return;
        if (outcome.result !== undefined) rec.answered(outcome.result);
        if (outcome.status >= 400) rec.span.fail({ code: outcome.errorCode ?? "error", message: outcome.message ?? outcome.errorCode ?? "error", status: outcome.status });
        this.#outcomes.finish(rec, outcome.status, outcome.errorCode);
        try {
          // Labels only carry names that resolved to a configured server's tool: a client's made-up names must not grow the series count.
          this.metrics.mcpCalls.inc({ server, tool: server ? tool : "", outcome: outcome.errorCode ?? "ok" });
          this.metrics.mcpDuration.observe({ server }, (rec.latencyMs ?? rec.elapsedMs()) / 1000);
        } catch (err) {
          this.internalErrors.report("metrics", err);
        }
      },
    };
  }
}
