/**
 * The engine: validate → route → call the provider → record. The HTTP server
 * and the library both drive this class; nothing here knows about HTTP.
 */
import { GatewayError, toGatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type {
  ChatChunk, ChatRequest, ChatResponse, CompletionChunk, CompletionResponse, EmbeddingResponse, ModelInfo, Usage,
} from "../core/types.js";
import type { Config } from "../config/schema.js";
import { ConfigError } from "../config/load.js";
import { createProvider, resolveTimeouts } from "../providers/registry.js";
import type { CallContext, ProviderAdapter, Timeouts } from "../providers/types.js";
import { Authenticator } from "../keys/authenticator.js";
import { KeyAdmin } from "../keys/key-admin.js";
import { KeyCache } from "../keys/key-cache.js";
import { LogWriter } from "../store/log-writer.js";
import { createStore } from "../store/create-store.js";
import type { Store } from "../store/types.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { Metrics } from "../telemetry/metrics.js";
import { InternalErrors } from "../telemetry/internal-errors.js";
import type { CallScope } from "./call-scope.js";
import { runAttempts, type AttemptDeps, type AttemptRequest, type AttemptResult } from "./attempts.js";
import { createHealth, type Health } from "./health/index.js";
import { classify, estimatePromptTokens } from "./routing/request-class.js";
import { LiveTargetStats } from "./routing/target-stats.js";
import type { TargetRef } from "./routing/types.js";
import { RequestRecord, type CallMeta, type CallOptions, type Endpoint } from "./request-record.js";
import { Router, type Route } from "./router.js";
import { checkOperation, contentRefusal, preparedChat, type Operation } from "./target-checks.js";
import { StreamAccumulator } from "./stream-accumulator.js";
import { signalLink, type ClientLink } from "../core/client-link.js";
import { batchesOf, flatten } from "../core/batched.js";
import { countRequestTokens, usdOf, estimateCompletionUsage, forClient, loadCatalogue, StreamUsageEstimator, withUpstreamUsage, type PriceCatalogue } from "../cost/index.js";
import { validateChat, validateCompletion, validateEmbedding } from "./validate.js";
import { budgetError, createQuotas, limitError, modelAllowed, modelNotAllowedError, type Quotas } from "./quotas/index.js";
import { Redactor } from "../privacy/redactor.js";
import { configSecrets, SecretScrubber } from "../privacy/secret-scrubber.js";
import { RetentionJob } from "../store/retention/retention-job.js";
import { createTracing, genAiRequestAttributes, genAiSpanName, genAiUsageAttributes, GEN_AI, NOOP_SPAN, SEMCONV, type Attributes, type GenAiOperation, type GenAiRequestFields, type Tracing } from "../telemetry/tracing.js";
import { createErrorReporter, type ErrorReporter } from "../telemetry/error-reporter.js";
import {
  answerFromChunks, answerFromResponse, cacheNamespace, createResponseCache, firstEmbedding, replayChunks, responseOf,
  type CacheLookup, type CachedAnswer, type ResponseCache,
} from "../cache/index.js";

export interface EngineDeps {
  store?: Store;
  /** Default: one built from config.admin_key, the store's keys and (with Redis) a shared cache invalidation channel. */
  auth?: Authenticator;
  logger?: Logger;
  metrics?: Metrics;
  /** Default: from config.telemetry.tracing (the OpenTelemetry SDK is loaded only when tracing is on). */
  tracing?: Tracing;
  /** Default: from config.telemetry.sentry (a no-op without a DSN). */
  errors?: ErrorReporter;
}

/** The GenAI operation name of each engine endpoint. */
const GEN_AI_OPERATION: Record<Endpoint, GenAiOperation> = {
  "/v1/chat/completions": "chat",
  "/v1/messages": "chat",
  "/v1/completions": "text_completion",
  "/v1/embeddings": "embeddings",
};

export interface Result<T> { value: T; meta: CallMeta }
export interface StreamResult<T> {
  /** The chunks one by one (library callers). Read this or `batches`, not both. */
  stream: AsyncIterable<T>;
  /** The same chunks as they arrived together (the HTTP server writes each batch at once). */
  batches: AsyncIterable<T[]>;
  meta: CallMeta;
}


/**
 * Prompt tokens for limit reservations: counted with the real tokenizer when
 * a token-per-minute limit will use the number (the caller's key or team, or
 * a target), estimated cheaply (characters / 4) otherwise — tokenizing every
 * prompt would put its cost on every request.
 */
function promptTokens(request: unknown, rec: RequestRecord, route: Route): number {
  const messages = (request as { messages?: unknown }).messages;
  const needsCount = Array.isArray(messages) && (rec.options.subjects?.some((s) => s.limits.tpm) || route.targets.some((t) => t.tpm));
  if (!needsCount) return estimatePromptTokens(request);
  return countRequestTokens(request as ChatRequest, route.targets[0]?.model ?? rec.model ?? "");
}

/**
 * A stream's result: its batches, and (for library callers) its chunks one by
 * one, flattened only when asked. A class, not an object literal with a
 * getter: the literal's own accessor measurably doubled the GC work of a
 * stream in the bench (many more promotions and major collections).
 */
class RelayedStream<T> implements StreamResult<T> {
  constructor(readonly batches: AsyncGenerator<T[]>, readonly meta: CallMeta) {}

  get stream(): AsyncIterable<T> {
    return flatten(this.batches);
  }
}

/** An open stream, read as batches, and its first batch (read inside the attempt, so a failure there can still fail over). */
interface FirstChunk<T> { iterator: AsyncIterator<T[]>; first: IteratorResult<T[]> }

/** How a unary operation uses the response cache (chat only, for now). */
interface UnaryCaching<T> {
  lookup(): Promise<CacheLookup>;
  fromAnswer(answer: CachedAnswer): T;
  toAnswer(value: T, rec: RequestRecord): CachedAnswer;
}
/** How a streamed operation uses it: hits are replayed as the stream they were (or as a synthesized one). */
interface StreamCaching<T> {
  lookup(): Promise<CacheLookup>;
  replay(answer: CachedAnswer): T[];
  toAnswer(chunks: T[], rec: RequestRecord): CachedAnswer;
}
/** How long /ready waits for the store's ping. */
const READY_TIMEOUT_MS = 2_000;
/** Beyond this many chunks a stream is not kept for the cache (its entry would exceed any sane size anyway). */
const MAX_CACHED_CHUNKS = 20_000;
const NO_SCOPE: CallScope = { ctx: undefined as never, dispose() {} };

async function* replayed<T>(chunks: T[]): AsyncGenerator<T[]> {
  if (chunks.length) yield chunks;
}
/** Settles a request's limit and budget reservations to what it used (idempotent). */
type Release = (rec: RequestRecord) => void;

export class Engine {
  readonly config: Config;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly router: Router;
  readonly store: Store | undefined;
  readonly #providers: Map<string, ProviderAdapter>;
  readonly #timeouts: Map<string, Timeouts>;
  readonly #writer: LogWriter | undefined;
  readonly #keepBodies: boolean;
  readonly stats = new LiveTargetStats();
  readonly #catalogue: PriceCatalogue;
  readonly #redactor: Redactor | undefined;
  readonly #redact: <T>(value: T) => T;
  readonly #retention: RetentionJob | undefined;
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
  /** The response cache (issue 7); undefined unless cache.enabled. */
  cache: ResponseCache | undefined;
  readonly #attemptDeps: AttemptDeps;
  /** Upstream error text loses every configured provider credential (some upstreams quote the key they got). */
  readonly #scrub: (e: GatewayError) => void;
  /** Requests finished but not yet recorded (see #finish); close() records them first. */
  #outcomes: RequestRecord[] = [];
  readonly #recordOutcomes = (): void => {
    const recs = this.#outcomes;
    this.#outcomes = [];
    for (const rec of recs) this.#recordOutcome(rec, rec.status!, rec.errorCode ?? null);
  };
  #inFlight = 0;

  private constructor(config: Config, providers: Map<string, ProviderAdapter>, health: Health, quotas: Quotas,
    deps: EngineDeps & { store?: Store; auth: Authenticator; tracing: Tracing; errors: ErrorReporter }) {
    this.config = config;
    this.tracing = deps.tracing;
    this.errors = deps.errors;
    this.auth = deps.auth;
    const keys = deps.store?.keys?.();
    this.keyAdmin = keys ? new KeyAdmin({ store: keys, cache: deps.auth.cache }) : undefined;
    this.#catalogue = loadCatalogue({ overrides: config.prices });
    const r = config.privacy.redact;
    this.#redactor = r.enabled || r.before_upstream ? new Redactor({ ...(r.kinds ? { kinds: r.kinds } : {}), custom: r.custom }) : undefined;
    const redactor = r.enabled ? this.#redactor : undefined;
    this.#redact = redactor ? (v) => redactor.redactValue(v) : (v) => v;
    this.metrics = deps.metrics ?? new Metrics();
    this.logger = deps.logger ?? createLogger(config.logging.level);
    const internal = this.metrics.internalErrors;
    this.internalErrors = new InternalErrors({ count: (site) => internal.inc({ site }), logger: this.logger });
    this.store = deps.store;
    this.#keepBodies = config.logging.bodies;
    this.#providers = providers;
    this.#timeouts = new Map();
    for (const [name, pc] of Object.entries(config.providers)) {
      this.#timeouts.set(name, resolveTimeouts(config.timeouts, "timeouts" in pc ? pc.timeouts : undefined));
    }
    this.router = new Router(config, this.#providers);
    this.health = health;
    this.quotas = quotas;
    this.metrics.sources.degraded = () => ({ ...quotas.degraded() });
    const metrics = this.metrics;
    const scrubber = new SecretScrubber([
      ...Object.values(config.providers).flatMap((pc) => configSecrets(pc)),
      ...[...providers.values()].flatMap((p) => p.secrets ?? []),
    ]);
    this.#scrub = (e) => {
      const clean = scrubber.scrub(e.message);
      if (clean !== e.message) e.message = clean;
    };
    this.#attemptDeps = {
      router: this.router,
      breakers: health.breakers,
      limiter: health.limiter,
      stats: this.stats,
      timeoutsOf: (provider) => this.#timeouts.get(provider)!,
      onAttempt: (target, outcome) => metrics.attemptChild.get(target.provider.name, outcome).inc(),
      onRetry: (kind) => metrics.retries.inc({ kind }),
      scrub: this.#scrub,
      attemptSpan: (rec, target) => {
        if (rec.span === NOOP_SPAN) return undefined;
        if (!this.tracing.enabled) return rec.span; // the client's trace passed through: no spans of ours
        const op = GEN_AI_OPERATION[rec.operationEndpoint];
        return rec.span.child(genAiSpanName(op, target.model), {
          ...genAiRequestAttributes(op, { ...rec.traceFields, model: target.model }, target.provider.type),
          "liaison.provider": target.provider.name,
          "liaison.attempt": rec.attempts,
        });
      },
    };
    metrics.sources.circuits = () => this.router.configuredTargets().map((t) => health.breakers.snapshot(t.key));
    if (this.store && config.logging.requests) {
      const m = this.metrics;
      const log = this.logger;
      this.#writer = new LogWriter(this.store, {
        maxQueue: config.logging.queue_size,
        batchSize: config.logging.batch_size,
        flushIntervalMs: config.logging.flush_interval_ms,
        ...(config.logging.spool_max_mb > 0 ? { spool: { dir: config.logging.spool_dir, maxBytes: Math.floor(config.logging.spool_max_mb * 1024 * 1024) } } : {}),
        hooks: {
          onWritten: (n) => m.logRowsWritten.inc(n),
          onDropped: (n, reason) => {
            m.logRowsDropped.inc({ reason }, n);
            log.error({ rows: n, reason }, "request-log rows could not be stored");
          },
          onError: (err, attempt) => {
            m.logWriteErrors.inc();
            log.warn({ err: (err as Error)?.message, attempt }, "request-log write failed; will retry");
          },
        },
      });
      m.sources.logQueueDepth = () => this.#writer?.depth ?? 0;
      m.sources.logSpoolBytes = () => this.#writer?.spoolBytes ?? 0;
    }
    this.metrics.sources.inFlight = () => this.#inFlight;
    const retention = config.logging.retention;
    if (this.store && retention && (retention.rows_days || retention.bodies_days)) {
      this.#retention = new RetentionJob({
        retention: this.store.retention(),
        ...(retention.rows_days ? { rowsMaxAgeDays: retention.rows_days } : {}),
        ...(retention.bodies_days ? { bodiesMaxAgeDays: retention.bodies_days } : {}),
        intervalMs: retention.interval_ms,
        onError: (err, phase) => this.logger.warn({ err: (err as Error)?.message, phase }, "request-log retention failed; will try again"),
        onRun: (result) => {
          if (result.deleted || result.stripped) this.logger.info(result, "request-log retention ran");
        },
      });
      this.#retention.start();
    }
  }

  /** Builds the engine: opens the store (running migrations) unless one is given. */
  static async create(config: Config, deps: EngineDeps = {}): Promise<Engine> {
    const providers = new Map<string, ProviderAdapter>();
    for (const [name, pc] of Object.entries(config.providers)) {
      const timeouts = resolveTimeouts(config.timeouts, "timeouts" in pc ? pc.timeouts : undefined);
      providers.set(name, await createProvider(name, pc, timeouts));
    }
    let store = deps.store;
    if (!store && config.logging.requests) {
      store = await createStore(config.storage.url);
      await store.migrate();
    }
    const b = config.routing.circuit_breaker;
    const logger = deps.logger ?? createLogger(config.logging.level);
    const health = createHealth({
      redisUrl: config.redis?.url,
      prefix: config.redis?.prefix,
      breaker: {
        consecutiveFailures: b.consecutive_failures, errorRate: b.error_rate, minRequests: b.min_requests,
        windowMs: b.window_ms, cooldownMs: b.cooldown_ms, halfOpenProbes: b.half_open_probes,
      },
      onError: (err: unknown) => logger.warn({ err: (err as Error)?.message }, "shared routing state (Redis) unavailable; using this instance's own view"),
      onRecover: () => logger.info("shared routing state (Redis) reachable again"),
      onChange: (key, from, to) => logger.warn({ target: key, from, to }, "circuit state changed"),
    });
    await health.ready; // never rejects: without Redis at start the instance begins on its own view
    const webhook = config.budgets.webhook;
    const quotas = await createQuotas({
      redisUrl: config.redis?.url,
      prefix: config.redis?.prefix,
      limitsFailure: config.limits.redis_failure,
      budgetsFailure: config.budgets.redis_failure,
      parallelLeaseMs: config.limits.parallel_lease_ms,
      ...(config.redis ? { degradedShare: config.redis.degraded_share } : {}),
      spendStore: store?.spendStore(),
      spendFlushIntervalMs: config.budgets.flush_interval_ms,
      ...(webhook ? { webhook: { url: webhook.url, secret: webhook.secret, thresholds: webhook.thresholds, timeoutMs: webhook.timeout_ms, retries: webhook.retries } } : {}),
      onError: (err, c) => logger.warn({ err: (err as Error)?.message, component: c },
        `shared ${c} state (Redis) unavailable; failing ${c === "limits" ? config.limits.redis_failure : config.budgets.redis_failure}`),
      onRecover: (c) => logger.info({ component: c }, `shared ${c} state (Redis) reachable again`),
      onStoreError: (err) => logger.warn({ err: (err as Error)?.message }, "spend could not be stored; will retry"),
      onAlertError: (err, a) => logger.warn({ err: (err as Error)?.message, alert: a?.id }, "budget webhook failed"),
    });
    await quotas.ready;
    const auth = deps.auth ?? new Authenticator({
      ...(config.admin_key === undefined ? {} : { adminKey: config.admin_key }),
      ...(store?.keys === undefined ? {} : { store: store.keys() }),
      cache: new KeyCache({
        ...(config.redis?.url === undefined ? {} : { redis: config.redis.url }),
        ...(config.redis?.prefix === undefined ? {} : { prefix: config.redis.prefix }),
        onError: (err: unknown) => logger.warn({ err: (err as Error)?.message }, "key cache invalidation (Redis) unavailable; cached keys expire on their TTL"),
        onRecover: () => logger.info("key cache invalidation (Redis) reachable again"),
      }),
      onTouchError: (err: unknown) => logger.warn({ err: (err as Error)?.message }, "could not record keys' last_used_at"),
    });
    const tracing = deps.tracing ?? await createTracing(config.telemetry.tracing, logger);
    const errors = deps.errors ?? await createErrorReporter(config.telemetry.sentry, logger);
    const semantic = config.cache.semantic;
    if (config.cache.enabled && semantic.enabled) {
      // Known only once providers exist: a model none of whose targets embeds would turn every lookup into a failed call.
      const route = new Router(config, providers).resolve(semantic.embedding_model ?? "");
      if (!route.targets.some((t) => t.provider.capabilities.embeddings)) {
        await Promise.allSettled([health.close(), quotas.close(), auth.close(), ...[...providers.values()].map((p) => p.close?.())]);
        await store?.close();
        throw new ConfigError("config", [`cache.semantic.embedding_model: '${semantic.embedding_model}' has no target whose provider serves embeddings`]);
      }
    }
    const lastCacheWarn = new Map<string, number>();
    const engine = new Engine(config, providers, health, quotas, { ...deps, logger, store, auth, tracing, errors });
    engine.cache = createResponseCache(config.cache, {
      ...(config.redis ? { redis: { url: config.redis.url, prefix: config.redis.prefix } } : {}),
      ...(/^postgres(ql)?:/.test(config.storage.url) ? { postgresUrl: config.storage.url } : {}),
      // The semantic cache's embeddings go through the gateway itself: routing, retries, cost and a log row like any call.
      embed: async (text, signal) => firstEmbedding((await engine.embed(
        { model: semantic.embedding_model, input: text },
        { signal, metadata: { liaison: "semantic-cache" } },
      )).value),
      onError: (err, site) => {
        engine.metrics.cacheErrors.inc({ site });
        // An outage fails every request's lookup: one line per site every 10 s, the metric counts them all.
        const now = Date.now();
        if ((lastCacheWarn.get(site) ?? 0) + 10_000 > now) return;
        lastCacheWarn.set(site, now);
        logger.warn({ err: (err as Error)?.message, site }, "response cache unavailable; lookups and writes are treated as misses");
      },
    });
    if (engine.cache) logger.info({ ...engine.cache.backends }, "response cache enabled");
    return engine;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  listModels(): ModelInfo[] {
    return this.router.listModels(this.config);
  }

  async chat(body: unknown, options: CallOptions = {}): Promise<Result<ChatResponse>> {
    const rec = this.#record("/v1/chat/completions", false, options, body);
    const request = this.#outbound(this.#validated(rec, validateChat, body));
    const prepared = preparedChat(request, false);
    const caching: UnaryCaching<ChatResponse> | undefined = this.cache && {
      lookup: () => this.#cacheLookup(rec, request, options),
      fromAnswer: (answer) => responseOf(answer),
      toAnswer: (value, r) => answerFromResponse(value, { provider: r.provider ?? "", upstreamModel: r.upstreamModel ?? "", costUsd: r.costUsd }),
    };
    return this.#unary(rec, () => this.#plan(rec, "chat", options, request, false, async (target, ctx) => {
      const res = await target.provider.chat(prepared.for(target), ctx);
      rec.usage = res.usage;
      if (rec.span !== NOOP_SPAN) rec.finishReasons = res.choices?.map((c) => c.finish_reason ?? "").filter(Boolean);
      return res;
    }, {
      check: prepared.check,
      judge: contentRefusal,
      tokensUsed: (res) => res.usage?.total_tokens,
    }), undefined, caching);
  }

  async chatStream(body: unknown, options: CallOptions = {}): Promise<StreamResult<ChatChunk>> {
    const rec = this.#record("/v1/chat/completions", true, options, body);
    const request = this.#outbound(this.#validated(rec, validateChat, body));
    const acc = new StreamAccumulator(this.#keepBodies);
    const usage = new StreamUsageEstimator();
    // Usage is always asked for upstream (cost needs it); the client sees it only if it asked.
    const { request: upstream, clientWantsUsage } = withUpstreamUsage(request);
    const prepared = preparedChat(upstream, true);
    // The canonical chunks as they came (usage included), kept for the cache on a miss.
    let kept: ChatChunk[] | undefined;
    const caching: StreamCaching<ChatChunk> | undefined = this.cache && {
      lookup: async () => {
        const found = await this.#cacheLookup(rec, request, options);
        if (found.store) kept = [];
        return found;
      },
      replay: (answer) => replayChunks(answer),
      toAnswer: (chunks, r) => answerFromChunks(chunks, { provider: r.provider ?? "", upstreamModel: r.upstreamModel ?? "", costUsd: r.costUsd }),
    };
    return this.#streaming(rec, (run) => this.#plan(rec, "chat", options, request, true, run, { check: prepared.check }),
      (target, ctx) => target.provider.chatStream(prepared.for(target), ctx),
      (chunk: ChatChunk) => {
        if (kept) {
          if (kept.length < MAX_CACHED_CHUNKS) kept.push(chunk);
          else kept = undefined;
        }
        acc.add(chunk);
        usage.add(chunk);
        if (rec.span !== NOOP_SPAN) noteFinish(rec, chunk.choices);
        return forClient(chunk, clientWantsUsage);
      },
      () => {
        // A replayed answer billed nothing: no tokens, no cost (what it saved is in cacheSavedUsd).
        rec.usage = fromCache(rec) ? undefined : rec.upstreamModel ? usage.usage(request, rec.upstreamModel) : acc.usage;
        rec.responseBody = this.#keepBodies ? acc.toResponse() : null;
      }, caching && { ...caching, chunks: () => kept });
  }

  async completions(body: unknown, options: CallOptions = {}): Promise<Result<CompletionResponse>> {
    const rec = this.#record("/v1/completions", false, options, body);
    const request = this.#outbound(this.#validated(rec, validateCompletion, body));
    return this.#unary(rec, () => this.#plan(rec, "completions", options, request, false, async (target, ctx) => {
      const res = await target.provider.completions!({ ...request, model: target.model, stream: false }, ctx);
      rec.usage = res.usage;
      return res;
    }, { tokensUsed: (res) => res.usage?.total_tokens }));
  }

  async completionsStream(body: unknown, options: CallOptions = {}): Promise<StreamResult<CompletionChunk>> {
    const rec = this.#record("/v1/completions", true, options, body);
    const request = this.#outbound(this.#validated(rec, validateCompletion, body));
    let text = "";
    let usage: Usage | undefined;
    const { request: upstream, clientWantsUsage } = withUpstreamUsage(request);
    return this.#streaming(rec, (run) => this.#plan(rec, "completions", options, request, true, run),
      (target, ctx) => target.provider.completionsStream!({ ...upstream, model: target.model, stream: true }, ctx),
      (chunk: CompletionChunk) => {
        if (chunk.usage) usage = chunk.usage;
        text += chunk.choices?.[0]?.text ?? "";
        return forClient(chunk, clientWantsUsage);
      },
      () => {
        rec.usage = usage ?? (rec.upstreamModel ? estimateCompletionUsage(request.prompt, text, rec.upstreamModel) : undefined);
        rec.responseBody = this.#keepBodies ? { text } : null;
      });
  }

  async embed(body: unknown, options: CallOptions = {}): Promise<Result<EmbeddingResponse>> {
    const rec = this.#record("/v1/embeddings", false, options, body);
    const request = this.#outbound(this.#validated(rec, validateEmbedding, body));
    return this.#unary(rec, () => this.#plan(rec, "embeddings", options, request, false, async (target, ctx) => {
      const res = await target.provider.embed!({ ...request, model: target.model }, ctx);
      rec.usage = { prompt_tokens: res.usage?.prompt_tokens ?? 0, completion_tokens: 0, total_tokens: res.usage?.total_tokens ?? 0 };
      return res;
    }, { tokensUsed: (res) => res.usage?.total_tokens }), () => null /* vectors are not worth storing */);
  }

  #record(endpoint: Endpoint, stream: boolean, options: CallOptions, body: unknown): RequestRecord {
    const model = typeof (body as { model?: unknown } | null)?.model === "string" ? (body as { model: string }).model : null;
    const rec = new RequestRecord(options.requestId ?? newId("req"), options.endpoint ?? endpoint, model, stream, options, this.#keepBodies ? body : null);
    rec.operationEndpoint = endpoint;
    if (this.tracing.enabled || options.traceparent) {
      const attrs: Attributes = this.tracing.enabled
        ? { [GEN_AI.OPERATION_NAME]: GEN_AI_OPERATION[endpoint], [GEN_AI.REQUEST_MODEL]: model ?? undefined, "liaison.request_id": rec.requestId, "liaison.endpoint": rec.endpoint, "liaison.stream": stream, "liaison.key_id": options.keyId ?? undefined, "liaison.team_id": options.teamId ?? undefined }
        : {};
      rec.span = this.tracing.startRequest(genAiSpanName(GEN_AI_OPERATION[endpoint], model ?? "unknown"), attrs, options.traceparent);
      rec.traceId = rec.span.traceId;
    }
    return rec;
  }

  /** privacy.redact.before_upstream: prompts leave for the provider with personal data and secrets replaced. */
  #outbound<T extends { model: string }>(request: T): T {
    if (!this.config.privacy.redact.before_upstream || !this.#redactor) return request;
    return { ...this.#redactor.redactValue(request), model: request.model };
  }

  /** Validation failures are requests too: they get their log row and metrics. */
  #validated<T>(rec: RequestRecord, validate: (body: unknown) => T, body: unknown): T {
    try {
      const valid = validate(body);
      if (this.tracing.enabled && rec.span !== NOOP_SPAN) {
        rec.traceFields = valid as GenAiRequestFields;
        rec.span.setAttributes(genAiRequestAttributes(GEN_AI_OPERATION[rec.operationEndpoint], rec.traceFields));
      }
      return valid;
    } catch (err) {
      this.#fail(rec, toGatewayError(err));
      throw err;
    }
  }

  /** The attempt plan shared by every operation: routing, retries, fallbacks, health. */
  #plan<T>(rec: RequestRecord, op: Operation, options: CallOptions, request: unknown, stream: boolean,
    run: (target: TargetRef, ctx: CallContext) => Promise<T>,
    extra: Partial<Pick<AttemptRequest<T>, "judge" | "tokensUsed" | "check">> = {}): AttemptRequest<T> {
    const route = this.router.resolve(rec.model ?? "");
    const retry = route.model?.retry ? { ...this.config.routing.retry, ...route.model.retry } : this.config.routing.retry;
    const maxTokens = (request as { max_tokens?: unknown; max_completion_tokens?: unknown });
    const client = clientOf(options);
    const outTokens = typeof maxTokens.max_completion_tokens === "number" ? maxTokens.max_completion_tokens : typeof maxTokens.max_tokens === "number" ? maxTokens.max_tokens : 0;
    return {
      rec,
      cls: classify(request, stream),
      estimatedTokens: promptTokens(request, rec, route) + outTokens,
      ...(client ? { client } : {}),
      timeoutMs: options.timeoutMs,
      retry,
      check: (target) => {
        checkOperation(target, op, rec.model);
        extra.check?.(target);
      },
      run,
      ...(extra.judge ? { judge: extra.judge } : {}),
      ...(extra.tokensUsed ? { tokensUsed: extra.tokensUsed } : {}),
    };
  }

  async #unary<T>(rec: RequestRecord, plan: () => AttemptRequest<T>, body: (value: T) => unknown = (v) => v, caching?: UnaryCaching<T>): Promise<Result<T>> {
    this.#inFlight++;
    let scope: CallScope | undefined;
    let release: Release | undefined;
    try {
      const attempt = plan();
      release = await this.#admit(rec, attempt.estimatedTokens);
      // After limits and budgets (DESIGN.md §1): a hit still counts as a request, but costs nothing.
      const cached = caching ? await caching.lookup() : undefined;
      if (cached?.answer) {
        const value = caching!.fromAnswer(cached.answer);
        this.#servedFromCache(rec, cached.answer);
        if (this.#keepBodies) rec.responseBody = body(value);
        this.#finish(rec, 200, null);
        return { value, meta: rec.meta() };
      }
      const result = await runAttempts(this.#attemptDeps, attempt);
      scope = result.scope;
      if (this.#keepBodies) rec.responseBody = body(result.value);
      this.#finish(rec, 200, null);
      // Written after #finish, which prices the answer: the entry remembers what a hit saves.
      if (cached?.store) void cached.store(caching!.toAnswer(result.value, rec));
      return { value: result.value, meta: rec.meta() };
    } catch (err) {
      const e = toGatewayError(err);
      this.#fail(rec, e);
      throw e;
    } finally {
      scope?.dispose();
      release?.(rec);
      this.#inFlight--;
    }
  }

  /** The cache's verdict for a chat request, in this caller's namespace, under the route's name (after aliases). */
  async #cacheLookup(rec: RequestRecord, request: ChatRequest, options: CallOptions): Promise<CacheLookup> {
    const control = options.cache;
    const client = clientOf(options);
    const found = await this.cache!.lookup(request, {
      model: this.router.resolve(rec.model ?? "").name,
      namespace: cacheNamespace({ shared: this.config.cache.shared, teamId: options.teamId ?? null, keyId: options.keyId ?? null }),
      mode: control?.mode ?? "normal",
      // A client may shorten its entry's life freely, lengthen it only up to the operator's cap.
      ...(control?.ttlMs !== undefined ? { ttlMs: Math.min(control.ttlMs, this.config.cache.max_ttl_seconds * 1000) } : {}),
      ...(control?.maxAgeMs !== undefined ? { maxAgeMs: control.maxAgeMs } : {}),
      // The embedding call is the only use of a signal here: made only when the semantic cache may embed.
      ...(this.config.cache.semantic.enabled && client ? { signal: client.signal() } : {}),
    });
    rec.cache = found.status;
    this.metrics.cacheLookups.inc({ endpoint: rec.endpoint, result: found.status.replace("-", "_") });
    return found;
  }

  /** A cached answer stands in for the upstream call: no attempts, no tokens billed, and the saving recorded. */
  #servedFromCache(rec: RequestRecord, answer: CachedAnswer): void {
    rec.provider = answer.provider;
    rec.upstreamModel = answer.upstreamModel;
    rec.costUsd = 0;
    rec.cacheSavedUsd = answer.costUsd;
    if (answer.costUsd) this.metrics.cacheSaved.inc({ provider: answer.provider, model: answer.upstreamModel }, answer.costUsd);
  }

  /**
   * Limits and budgets of the caller's key and team (issue 5), before any
   * upstream attempt: budget first (a request refused on budget uses no rpm),
   * then one atomic reservation of rpm, tpm and a parallel slot on every
   * subject. The returned release settles both to what the request used.
   */
  async #admit(rec: RequestRecord, estimatedTokens: number): Promise<Release | undefined> {
    const subjects = rec.options.subjects;
    if (!subjects?.length) return undefined;
    for (const s of subjects) if (!modelAllowed(s.limits, rec.model ?? "")) throw modelNotAllowedError(s.id, rec.model ?? "");
    const priced = this.router.resolve(rec.model ?? "").targets[0];
    const estimateUsd = priced ? usdOf({ prompt_tokens: estimatedTokens, completion_tokens: 0, total_tokens: estimatedTokens }, priced.model, this.#catalogue, priced.provider.name) ?? 0 : 0;
    const budget = await this.quotas.budgets.check(subjects, estimateUsd);
    if (!budget.ok) throw budgetError(budget);
    const admission = await this.quotas.gate.admit(subjects, estimatedTokens);
    if (!admission.ok) {
      budget.settle(0);
      throw limitError(admission);
    }
    rec.rateLimitHeaders = admission.headers as unknown as Record<string, string>;
    let done = false;
    return (r) => {
      if (done) return;
      done = true;
      admission.release(r.usage?.total_tokens ?? 0);
      budget.settle(r.costUsd ?? 0);
    };
  }

  /**
   * Streams fail over only before their first byte reached the client: an
   * attempt here includes opening the upstream stream and reading its first
   * chunk; after that, a failure ends the stream with an error event.
   */
  async #streaming<T>(rec: RequestRecord, plan: (run: (target: TargetRef, ctx: CallContext) => Promise<FirstChunk<T>>) => AttemptRequest<FirstChunk<T>>,
    open: (target: TargetRef, ctx: CallContext) => Promise<AsyncIterable<T>>,
    observe: (chunk: T) => T | undefined, complete: () => void,
    caching?: StreamCaching<T> & { chunks(): T[] | undefined }): Promise<StreamResult<T>> {
    this.#inFlight++;
    let result: Pick<AttemptResult<FirstChunk<T>>, "value" | "scope">;
    let release: Release | undefined;
    let cached: CacheLookup | undefined;
    try {
      const attempt = plan(async (target, ctx) => {
        const iterator = batchesOf(await open(target, ctx));
        return { iterator, first: await iterator.next() };
      });
      release = await this.#admit(rec, attempt.estimatedTokens);
      cached = caching ? await caching.lookup() : undefined;
      if (cached?.answer) {
        this.#servedFromCache(rec, cached.answer);
        const iterator = replayed(caching!.replay(cached.answer));
        result = { value: { iterator, first: await iterator.next() }, scope: NO_SCOPE };
      } else {
        result = await runAttempts(this.#attemptDeps, attempt);
      }
    } catch (err) {
      this.#inFlight--;
      const e = toGatewayError(err);
      this.#fail(rec, e);
      release?.(rec);
      throw e;
    }
    // The parallel slot stays held until the stream ends.
    const store = cached?.store;
    const stored = store && (() => {
      // Only a stream that ended cleanly is kept (isComplete() also checks every choice finished).
      const chunks = caching!.chunks();
      if (chunks) void store(caching!.toAnswer(chunks, rec));
    });
    const batches = this.#relay(rec, result.value, result.scope, observe, () => { complete(); }, release, stored);
    return new RelayedStream(batches, rec.meta());
  }

  /** Passes chunks through, observing them, and records the outcome however the stream ends. */
  async *#relay<T>(rec: RequestRecord, start: FirstChunk<T>, scope: CallScope,
    observe: (chunk: T) => T | undefined, complete: () => void, release?: Release, onCleanEnd?: () => void): AsyncGenerator<T[]> {
    let error: GatewayError | undefined;
    let ended = false;
    const { iterator } = start;
    try {
      for (let next = start.first; !next.done; next = await iterator.next()) {
        if (rec.ttftMs === null) rec.ttftMs = rec.elapsedMs();
        const out: T[] = [];
        for (const chunk of next.value) {
          const seen = observe(chunk);
          if (seen !== undefined) out.push(seen);
        }
        if (out.length) yield out;
      }
      ended = true;
    } catch (err) {
      error = toGatewayError(err);
      this.#scrub(error);
      throw error;
    } finally {
      if (!ended) await iterator.return?.().catch(() => undefined);
      scope.dispose();
      this.#inFlight--;
      complete();
      // The HTTP status was 200 once the stream began; the error code tells what went wrong after.
      if (error) this.#fail(rec, error, 200);
      else this.#finish(rec, 200, ended ? null : "client_closed");
      release?.(rec);
      if (ended && !error) onCleanEnd?.();
    }
  }

  #fail(rec: RequestRecord, e: GatewayError, status = e.status): void {
    if (e.code === "internal_error" && !rec.finished) {
      this.logger.error({ err: e.cause ?? e, requestId: rec.requestId }, "unexpected error");
      this.errors.capture(e.cause ?? e, { requestId: rec.requestId, route: rec.endpoint, code: e.code, ...(rec.traceId ? { traceId: rec.traceId } : {}) });
    }
    if (rec.span !== NOOP_SPAN && !rec.finished) {
      const failure = { code: e.clientCode ?? e.code, message: e.message, status: e.status };
      rec.span.fail(failure);
      // A stream that broke after its first chunk: the answering attempt failed too.
      if (rec.attemptSpan && status === 200) rec.attemptSpan.fail(failure);
    }
    if (rec.attempts > 0) e.route = { provider: rec.provider ?? "", upstreamModel: rec.upstreamModel ?? "", attempts: rec.attempts };
    if (rec.provider && e.code !== "client_closed" && e.code !== "invalid_request" && e.code !== "model_not_found") {
      this.metrics.upstreamErrors.inc({ provider: rec.provider, code: e.code });
    }
    this.#finish(rec, status, e.clientCode ?? e.code);
  }

  #finish(rec: RequestRecord, status: number, errorCode: string | null): void {
    if (rec.finished) return;
    rec.finished = true;
    rec.latencyMs = rec.elapsedMs();
    // The price is part of the answer (x-liaison-cost-usd); the rest is bookkeeping.
    if (rec.usage && rec.upstreamModel) rec.costUsd = usdOf(rec.usage, rec.upstreamModel, this.#catalogue, rec.provider ?? undefined) ?? null;
    // Metrics, spans and the log row are made on the next tick: after the
    // answer has been written (the server writes it in the same run of
    // microtasks that settles this call), so none of it delays the client.
    rec.status = status;
    rec.errorCode = errorCode;
    this.#outcomes.push(rec);
    if (this.#outcomes.length === 1) process.nextTick(this.#recordOutcomes);
  }

  /**
   * Runs on the next tick, where nothing would catch a throw: each part is
   * guarded on its own (a failed metric must not cost the log row), and a
   * failure is counted and logged, never passed on to the process.
   */
  #recordOutcome(rec: RequestRecord, status: number, errorCode: string | null): void {
    try {
      if (rec.usage && rec.upstreamModel) {
        // Only names an upstream answered to reach these labels: an upstream refuses a made-up model before it bills usage.
        const usage = this.metrics.usageChild.get(rec.provider ?? "", rec.upstreamModel);
        usage.prompt.inc(rec.usage.prompt_tokens ?? 0);
        usage.completion.inc(rec.usage.completion_tokens ?? 0);
        if (rec.costUsd) usage.cost.inc(rec.costUsd);
      }
      // The model label only carries names that resolved to a route: client-chosen strings must not grow the series count.
      this.metrics.requestChild.get(rec.endpoint, rec.provider ? (rec.model ?? "") : "", rec.provider ?? "", String(status)).inc();
      this.metrics.durationChild.get(rec.endpoint).observe(rec.latencyMs! / 1000);
      if (rec.ttftMs !== null) this.metrics.ttftChild.get(rec.endpoint).observe(rec.ttftMs / 1000);
    } catch (err) {
      this.internalErrors.report("metrics", err);
    }
    if (rec.span !== NOOP_SPAN) {
      try {
        this.#endSpans(rec, status);
      } catch (err) {
        this.internalErrors.report("tracing", err);
      }
    }
    if (this.#writer) {
      try {
        this.#writer.enqueue(rec.toRow(status, errorCode, this.#keepBodies, this.#redact));
      } catch (err) {
        this.internalErrors.report("log_row", err);
      }
    }
  }

  /** Closes the request's spans with what the answer turned out to be (GenAI response and usage attributes). */
  #endSpans(rec: RequestRecord, status: number): void {
    if (this.tracing.enabled) {
      const response: Attributes = {
        [GEN_AI.RESPONSE_MODEL]: rec.upstreamModel ?? undefined,
        [GEN_AI.RESPONSE_FINISH_REASONS]: rec.finishReasons?.length ? rec.finishReasons : undefined,
        ...genAiUsageAttributes(rec.usage),
      };
      rec.attemptSpan?.setAttributes(response);
      rec.span.setAttributes({
        ...response,
        [SEMCONV.HTTP_RESPONSE_STATUS_CODE]: status,
        "liaison.provider": rec.provider ?? undefined,
        "liaison.attempts": rec.attempts,
        "liaison.cache": rec.cache ?? undefined,
        "liaison.cost_usd": rec.costUsd ?? undefined,
      });
    }
    rec.attemptSpan?.end();
    rec.span.end();
  }

  /** Records a request the server refused before it reached the engine (bad JSON, too large, auth). */
  recordRejected(endpoint: Endpoint, status: number, errorCode: string, requestId: string, options: CallOptions = {}): void {
    const rec = new RequestRecord(requestId, endpoint, null, false, options, null);
    this.#finish(rec, status, errorCode);
  }

  /** Why the gateway is not ready, or undefined when it is: the store must answer, and take rows. */
  async notReady(): Promise<string | undefined> {
    if (!this.store) return undefined;
    if (this.#writer && !this.#writer.writable) return `the ${this.store.kind} store cannot write request-log rows (they wait in memory and in the spool)`;
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
    this.#recordOutcomes(); // requests that finished in this same turn
    await this.#retention?.stop();
    await this.tracing.shutdown(); // flushes the last spans
    await this.errors.close();
    await this.quotas.close(); // flushes spend into the store, so before the store closes
    await this.cache?.close(); // waits for cache writes in flight
    await this.#writer?.close();
    await this.health.close();
    await this.auth.close(); // flushes last_used_at before the store closes
    await Promise.allSettled([...this.#providers.values()].map((p) => p.close?.()));
    await this.store?.close();
  }
}

/** Records each choice's finish_reason as a stream reports it (traces). */
function noteFinish(rec: RequestRecord, choices: ChatChunk["choices"] | undefined): void {
  if (!choices) return;
  for (const c of choices) if (c.finish_reason) (rec.finishReasons ??= []).push(c.finish_reason);
}

/** The caller's link: the server's, else one over a library caller's AbortSignal (made once per request). */
function clientOf(options: CallOptions): ClientLink | undefined {
  if (options.client) return options.client;
  if (!options.signal) return undefined;
  options.client = signalLink(options.signal);
  return options.client;
}

function fromCache(rec: RequestRecord): boolean {
  return rec.cache === "hit" || rec.cache === "semantic-hit";
}
