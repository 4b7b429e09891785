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
import { createProvider, resolveTimeouts } from "../providers/registry.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../providers/types.js";
import { LogWriter } from "../store/log-writer.js";
import { createStore } from "../store/create-store.js";
import type { Store } from "../store/types.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { Metrics } from "../telemetry/metrics.js";
import { openCallScope, type CallScope } from "./call-scope.js";
import { RequestRecord, type CallMeta, type CallOptions, type Endpoint } from "./request-record.js";
import { Router, type Target } from "./router.js";
import { StreamAccumulator } from "./stream-accumulator.js";
import { validateChat, validateCompletion, validateEmbedding } from "./validate.js";

export interface EngineDeps {
  store?: Store;
  logger?: Logger;
  metrics?: Metrics;
}

export interface Result<T> { value: T; meta: CallMeta }
export interface StreamResult<T> { stream: AsyncIterable<T>; meta: CallMeta }

type Operation = keyof Capabilities;

/**
 * The request as the target will get it, after checking that the target can
 * serve it: a request it cannot serve gets a clear 400 before anything is sent.
 */
function chatFor(target: Target, request: ChatRequest, stream: boolean): ChatRequest {
  const out = { ...request, model: target.model, stream };
  const { provider } = target;
  const caps = provider.capabilities;
  const refuse = (what: string) => {
    throw new GatewayError("unsupported_operation",
      `Model '${request.model}' is served by provider '${provider.name}' (${provider.type}) with model '${target.model}', which ${what}.`, { param: "messages" });
  };
  if (caps.tools === false && (request.tools?.length || request.messages.some((m) => m.tool_calls?.length))) refuse("does not support tools");
  if (caps.vision === false && request.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === "image_url"))) {
    refuse("does not accept images");
  }
  const reason = provider.unsupported?.(out);
  if (reason) refuse(reason);
  return out;
}

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
  #inFlight = 0;

  private constructor(config: Config, providers: Map<string, ProviderAdapter>, deps: EngineDeps & { store?: Store }) {
    this.config = config;
    this.metrics = deps.metrics ?? new Metrics();
    this.logger = deps.logger ?? createLogger(config.logging.level);
    this.store = deps.store;
    this.#keepBodies = config.logging.bodies;
    this.#providers = providers;
    this.#timeouts = new Map();
    for (const [name, pc] of Object.entries(config.providers)) {
      this.#timeouts.set(name, resolveTimeouts(config.timeouts, "timeouts" in pc ? pc.timeouts : undefined));
    }
    this.router = new Router(config, this.#providers);
    if (this.store && config.logging.requests) {
      const m = this.metrics;
      const log = this.logger;
      this.#writer = new LogWriter(this.store, {
        maxQueue: config.logging.queue_size,
        batchSize: config.logging.batch_size,
        flushIntervalMs: config.logging.flush_interval_ms,
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
    }
    this.metrics.sources.inFlight = () => this.#inFlight;
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
    return new Engine(config, providers, { ...deps, store });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  listModels(): ModelInfo[] {
    return this.router.listModels(this.config);
  }

  async chat(body: unknown, options: CallOptions = {}): Promise<Result<ChatResponse>> {
    const rec = this.#record("/v1/chat/completions", false, options, body);
    const request = this.#validated(rec, validateChat, body);
    return this.#unary(rec, "chat", options, async (target, ctx) => {
      const res = await target.provider.chat(chatFor(target, request, false), ctx);
      rec.usage = res.usage;
      return res;
    });
  }

  async chatStream(body: unknown, options: CallOptions = {}): Promise<StreamResult<ChatChunk>> {
    const rec = this.#record("/v1/chat/completions", true, options, body);
    const request = this.#validated(rec, validateChat, body);
    const acc = new StreamAccumulator(this.#keepBodies);
    return this.#streaming(rec, "chat", options,
      (target, ctx) => target.provider.chatStream(chatFor(target, request, true), ctx),
      (chunk: ChatChunk) => acc.add(chunk),
      () => { rec.usage = acc.usage; rec.responseBody = this.#keepBodies ? acc.toResponse() : null; });
  }

  async completions(body: unknown, options: CallOptions = {}): Promise<Result<CompletionResponse>> {
    const rec = this.#record("/v1/completions", false, options, body);
    const request = this.#validated(rec, validateCompletion, body);
    return this.#unary(rec, "completions", options, async (target, ctx) => {
      const res = await target.provider.completions!({ ...request, model: target.model, stream: false }, ctx);
      rec.usage = res.usage;
      return res;
    });
  }

  async completionsStream(body: unknown, options: CallOptions = {}): Promise<StreamResult<CompletionChunk>> {
    const rec = this.#record("/v1/completions", true, options, body);
    const request = this.#validated(rec, validateCompletion, body);
    let text = "";
    let usage: Usage | undefined;
    return this.#streaming(rec, "completions", options,
      (target, ctx) => target.provider.completionsStream!({ ...request, model: target.model, stream: true }, ctx),
      (chunk: CompletionChunk) => {
        if (chunk.usage) usage = chunk.usage;
        if (this.#keepBodies) text += chunk.choices?.[0]?.text ?? "";
      },
      () => { rec.usage = usage; rec.responseBody = this.#keepBodies ? { text } : null; });
  }

  async embed(body: unknown, options: CallOptions = {}): Promise<Result<EmbeddingResponse>> {
    const rec = this.#record("/v1/embeddings", false, options, body);
    const request = this.#validated(rec, validateEmbedding, body);
    return this.#unary(rec, "embeddings", options, async (target, ctx) => {
      const res = await target.provider.embed!({ ...request, model: target.model }, ctx);
      rec.usage = { prompt_tokens: res.usage?.prompt_tokens ?? 0, completion_tokens: 0, total_tokens: res.usage?.total_tokens ?? 0 };
      return res;
    }, () => null /* vectors are not worth storing */);
  }

  #record(endpoint: Endpoint, stream: boolean, options: CallOptions, body: unknown): RequestRecord {
    const model = typeof (body as { model?: unknown } | null)?.model === "string" ? (body as { model: string }).model : null;
    return new RequestRecord(options.requestId ?? newId("req"), options.endpoint ?? endpoint, model, stream, options, this.#keepBodies ? body : null);
  }

  /** Validation failures are requests too: they get their log row and metrics. */
  #validated<T>(rec: RequestRecord, validate: (body: unknown) => T, body: unknown): T {
    try {
      return validate(body);
    } catch (err) {
      this.#fail(rec, toGatewayError(err));
      throw err;
    }
  }

  /** Resolves the route and the target, refusing what the target cannot do before anything is sent. */
  #target(rec: RequestRecord, op: Operation): Target {
    const route = this.router.resolve(rec.model ?? "");
    const target = this.router.pick(route);
    const can = target.provider.capabilities[op] && (op !== "completions" || target.provider.completions) && (op !== "embeddings" || target.provider.embed);
    if (!can) {
      throw new GatewayError("unsupported_operation",
        `Model '${rec.model}' is served by provider '${target.provider.name}' (${target.provider.type}), which does not support ${op}.`, { param: "model" });
    }
    rec.provider = target.provider.name;
    rec.upstreamModel = target.model;
    return target;
  }

  #scope(rec: RequestRecord, target: Target, options: CallOptions): CallScope {
    let timeouts = this.#timeouts.get(target.provider.name)!;
    if (options.timeoutMs) {
      timeouts = { ...timeouts, totalMs: options.timeoutMs, firstByteMs: Math.min(timeouts.firstByteMs, options.timeoutMs) };
    }
    return openCallScope(rec.requestId, timeouts, options.signal);
  }

  async #unary<T>(rec: RequestRecord, op: Operation, options: CallOptions,
    call: (target: Target, ctx: CallContext) => Promise<T>, body: (value: T) => unknown = (v) => v): Promise<Result<T>> {
    this.#inFlight++;
    let scope: CallScope | undefined;
    try {
      const target = this.#target(rec, op);
      scope = this.#scope(rec, target, options);
      rec.attempts = 1;
      const value = await call(target, scope.ctx);
      if (this.#keepBodies) rec.responseBody = body(value);
      this.#finish(rec, 200, null);
      return { value, meta: rec.meta() };
    } catch (err) {
      const e = toGatewayError(err);
      this.#fail(rec, e);
      throw e;
    } finally {
      scope?.dispose();
      this.#inFlight--;
    }
  }

  async #streaming<T>(rec: RequestRecord, op: Operation, options: CallOptions,
    open: (target: Target, ctx: CallContext) => Promise<AsyncIterable<T>>,
    observe: (chunk: T) => void, complete: () => void): Promise<StreamResult<T>> {
    this.#inFlight++;
    let scope: CallScope | undefined;
    let source: AsyncIterable<T>;
    try {
      const target = this.#target(rec, op);
      scope = this.#scope(rec, target, options);
      rec.attempts = 1;
      source = await open(target, scope.ctx);
    } catch (err) {
      scope?.dispose();
      this.#inFlight--;
      const e = toGatewayError(err);
      this.#fail(rec, e);
      throw e;
    }
    return { stream: this.#relay(rec, source, scope, observe, complete), meta: rec.meta() };
  }

  /** Passes chunks through, observing them, and records the outcome however the stream ends. */
  async *#relay<T>(rec: RequestRecord, source: AsyncIterable<T>, scope: CallScope,
    observe: (chunk: T) => void, complete: () => void): AsyncGenerator<T> {
    let error: GatewayError | undefined;
    let ended = false;
    try {
      for await (const chunk of source) {
        if (rec.ttftMs === null) rec.ttftMs = rec.elapsedMs();
        observe(chunk);
        yield chunk;
      }
      ended = true;
    } catch (err) {
      error = toGatewayError(err);
      throw error;
    } finally {
      scope.dispose();
      this.#inFlight--;
      complete();
      // The HTTP status was 200 once the stream began; the error code tells what went wrong after.
      if (error) this.#fail(rec, error, 200);
      else this.#finish(rec, 200, ended ? null : "client_closed");
    }
  }

  #fail(rec: RequestRecord, e: GatewayError, status = e.status): void {
    if (rec.provider && e.code !== "client_closed" && e.code !== "invalid_request" && e.code !== "model_not_found") {
      this.metrics.upstreamErrors.inc({ provider: rec.provider, code: e.code });
    }
    this.#finish(rec, status, e.clientCode ?? e.code);
  }

  #finish(rec: RequestRecord, status: number, errorCode: string | null): void {
    if (rec.finished) return;
    rec.finished = true;
    const seconds = rec.elapsedMs() / 1000;
    // The model label only carries names that resolved to a route: client-chosen strings must not grow the series count.
    this.metrics.requests.inc({ endpoint: rec.endpoint, model: rec.provider ? (rec.model ?? "") : "", provider: rec.provider ?? "", status: String(status) });
    this.metrics.duration.observe({ endpoint: rec.endpoint }, seconds);
    if (rec.ttftMs !== null) this.metrics.ttft.observe({ endpoint: rec.endpoint }, rec.ttftMs / 1000);
    this.#writer?.enqueue(rec.toRow(status, errorCode, this.#keepBodies));
  }

  /** Records a request the server refused before it reached the engine (bad JSON, too large, auth). */
  recordRejected(endpoint: Endpoint, status: number, errorCode: string, requestId: string, options: CallOptions = {}): void {
    const rec = new RequestRecord(requestId, endpoint, null, false, options, null);
    this.#finish(rec, status, errorCode);
  }

  async ready(): Promise<boolean> {
    if (!this.store) return true;
    try {
      await this.store.ping();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#writer?.close();
    await Promise.allSettled([...this.#providers.values()].map((p) => p.close?.()));
    await this.store?.close();
  }
}
