/**
 * The library: the same engine the server runs, in-process.
 *
 *   const gateway = createGateway({ providers: { demo: { type: "mock" } } });
 *   const res = await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] });
 *   const { content } = await gateway.generateText({ prompt: "hi", model: "demo/echo" });
 */
import { validateConfig } from "../config/load.js";
import type { Config, ConfigInput } from "../config/schema.js";
import { GatewayError } from "../core/errors.js";
import type {
  ChatChunk, ChatMessage, ChatRequest, ChatResponse, CompletionRequest, CompletionResponse, EmbeddingRequest, EmbeddingResponse, ModelInfo,
} from "../core/types.js";
import { Engine, type EngineDeps } from "../engine/engine.js";
import { plain } from "../core/lazy-chunk.js";
import { checkDepth } from "../core/json-depth.js";
import type { CallOptions } from "../engine/call-options.js";
import { Workflows, type RunEvent, type RunRecord } from "../workflows/index.js";
import { promptsApi, type PromptsApi } from "../prompts/index.js";

export interface Gateway {
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /** An async iterable of OpenAI-shaped chunks; breaking out of the loop cancels the upstream call. */
  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk>;
  completions(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse>;
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResponse>;
  models(): Promise<ModelInfo[]>;
  /** One prompt in, the text out: a chat call like any other (logged, limited, priced). */
  generateText(request: GenerateTextRequest, options?: CallOptions): Promise<GenerateTextResult>;
  /** The same, streamed: an async iterable of text pieces; breaking out of the loop cancels the upstream call. */
  streamText(request: GenerateTextRequest, options?: CallOptions): AsyncIterable<string>;
  /** Providers, circuit breakers, the response cache, limits' shared state, uptime. */
  status(): Promise<GatewayStatus>;
  /** The Prometheus text GET /metrics serves. */
  metrics(): Promise<string>;
  /**
   * Runs a workflow in-process (docs/workflows.md): by name (the files of
   * `workflows.dir` and stored uploads) or a definition object (run, not
   * stored); every step is a gateway call with `options` (key, metadata,
   * signal). Bad inputs throw a 400 GatewayError; a failed step gives a
   * record with `status: "failed"`.
   */
  runWorkflow(nameOrDefinition: string | Record<string, unknown>, inputs?: Record<string, unknown>, options?: RunWorkflowOptions): Promise<RunRecord>;
  /**
   * The prompt registry (docs/prompts.md): list, get, create, setLabel,
   * complete (and completeStream), eval, optimize, evals — what the HTTP
   * API and `liaison prompts` do, in-process.
   */
  prompts: PromptsApi;
  /** Flushes the request log and closes connections. */
  close(): Promise<void>;
  /** The engine itself, for metrics and advanced use. */
  engine(): Promise<Engine>;
}

/**
 * Creates a gateway from a config object (the YAML file's shape). Throws a
 * ConfigError at once if the config is invalid; the store opens in the
 * background and the first call waits for it.
 */
export function createGateway(config: ConfigInput | Config, deps: EngineDeps = {}): Gateway {
  const valid = validateConfig(config, "createGateway(config)");
  const startedAt = Date.now();
  const ready = Engine.create(valid, deps);
  // generateText/streamText without a model: the first model under `models:`, else the mock provider (always configured).
  const defaultModel = Object.keys(valid.models)[0] ?? "mock/echo";
  // The server refuses bodies nested past server.max_json_depth when it parses them; in-process callers are held to the same limit here.
  const depth = valid.server.max_json_depth;
  const checked = <T>(request: T, options: CallOptions | undefined): T => {
    checkDepth(request, depth, "The request");
    if (options?.metadata) checkDepth(options.metadata, depth, "options.metadata");
    return request;
  };
  ready.catch(() => undefined); // surfaced on first use, not as an unhandled rejection
  // Opened on the first runWorkflow: the workflow files are read then, not by gateways that never run one.
  let workflows: Promise<Workflows> | undefined;
  return {
    async chat(request, options) {
      return (await (await ready).chat({ ...checked(request, options), stream: false }, options)).value;
    },
    chatStream(request, options) {
      return {
        async *[Symbol.asyncIterator]() {
          const { stream } = await (await ready).chatStream({ ...checked(request, options), stream: true }, options);
          // Chunks the gateway left unparsed (LazyChunk) become plain objects here.
          for await (const chunk of stream) yield plain(chunk);
        },
      };
    },
    async completions(request, options) {
      return (await (await ready).completions({ ...checked(request, options), stream: false }, options)).value;
    },
    async embed(request, options) {
      return (await (await ready).embed(checked(request, options), options)).value;
    },
    async models() {
      return (await ready).listModels();
    },
    async generateText(request, options) {
      const started = performance.now();
      const { value, meta } = await (await ready).chat({ ...checked(textRequest(request, defaultModel), options), stream: false }, options);
      const usage = value.usage;
      return {
        content: textOf(value.choices[0]?.message),
        usage: { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0, totalTokens: usage?.total_tokens ?? 0 },
        model: meta.upstreamModel || value.model,
        provider: meta.provider,
        cached: meta.cache === "hit" || meta.cache === "semantic-hit",
        latency: Math.round((performance.now() - started) * 1000) / 1000,
      };
    },
    streamText(request, options) {
      return {
        async *[Symbol.asyncIterator]() {
          const { stream } = await (await ready).chatStream({ ...checked(textRequest(request, defaultModel), options), stream: true }, options);
          for await (const chunk of stream) {
            const piece = plain(chunk).choices?.[0]?.delta?.content;
            if (typeof piece === "string" && piece !== "") yield piece;
          }
        },
      };
    },
    async status() {
      return statusOf(await ready, startedAt);
    },
    async metrics() {
      return (await ready).metrics.registry.metrics();
    },
    async runWorkflow(target, inputs = {}, options = {}) {
      const { onEvent, ...call } = options;
      if (call.metadata) checkDepth(call.metadata, depth, "options.metadata");
      workflows ??= ready.then((engine) => Workflows.open(engine));
      const w = await workflows.catch((err: unknown) => {
        workflows = undefined; // a file fixed since may be read on the next call
        throw err;
      });
      return w.run(typeof target === "string" ? target : checked(target, undefined), inputs, call, { ...(onEvent ? { onEvent } : {}) });
    },
    prompts: promptsApi(ready),
    async close() {
      await (await ready).close();
    },
    engine: () => ready,
  };
}

export interface RunWorkflowOptions extends CallOptions {
  /** Each step.started, step.completed and run.completed, as the SSE stream sends them. */
  onEvent?: (event: RunEvent) => void;
}

export interface GenerateTextRequest {
  prompt: string;
  /** Any name a client may send. Default: the first model under `models:` in the config, else `mock/echo`. */
  model?: string;
  /** Sent first, as a system message. */
  system?: string;
  temperature?: number;
  /** Sent as `max_tokens`. */
  maxTokens?: number;
}

export interface GenerateTextResult {
  /** The answer's text ("" when the model answered only with tool calls). */
  content: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  /** The upstream model that answered (what x-liaison-model says). */
  model: string;
  /** The configured provider that answered (x-liaison-provider). */
  provider: string;
  /** True when the response cache answered (an exact or a semantic hit). */
  cached: boolean;
  /** Milliseconds from the call to the whole answer, as the caller waited for it. */
  latency: number;
}

export interface GatewayStatus {
  providers: { name: string; type: string }[];
  /** Each configured target's circuit breaker (the targets of `models:`), as GET /admin/providers shows them. */
  circuits: {
    target: string; provider: string; model: string; state: "closed" | "open" | "half_open";
    error_rate: number; requests: number; consecutive_failures: number; retry_at: string | null;
  }[];
  /** Whether the response cache is on, its backends, and its lookups since start by outcome. */
  cache: { enabled: boolean; backends: Record<string, string>; hits: number; semantic_hits: number; misses: number; bypassed: number };
  /** Where limits, budgets and circuits are counted, whether that shared state is unreachable now, and requests in flight. */
  limits: { shared_state: "redis" | "memory"; degraded: { limits: boolean; budgets: boolean }; in_flight: number };
  uptime_s: number;
}

function textRequest(r: GenerateTextRequest, defaultModel: string): ChatRequest {
  if (typeof r?.prompt !== "string") throw new GatewayError("invalid_request", "prompt must be a string.", { param: "prompt" });
  const messages: ChatMessage[] = r.system === undefined ? [] : [{ role: "system", content: r.system }];
  messages.push({ role: "user", content: r.prompt });
  return {
    model: r.model ?? defaultModel,
    messages,
    ...(r.temperature === undefined ? {} : { temperature: r.temperature }),
    ...(r.maxTokens === undefined ? {} : { max_tokens: r.maxTokens }),
  };
}

function textOf(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p.type === "text" ? p.text : "")).join("");
  return "";
}

async function statusOf(engine: Engine, startedAt: number): Promise<GatewayStatus> {
  const seen = new Set<string>();
  const circuits: GatewayStatus["circuits"] = [];
  for (const t of engine.router.configuredTargets()) {
    if (seen.has(t.key)) continue;
    seen.add(t.key);
    const h = engine.health.breakers.snapshot(t.key);
    circuits.push({
      target: t.key, provider: t.provider.name, model: t.model, state: h.state, error_rate: h.errorRate, requests: h.requests,
      consecutive_failures: h.consecutiveFailures, retry_at: h.retryAt === null ? null : new Date(h.retryAt).toISOString(),
    });
  }
  const lookups = new Map<string, number>();
  for (const v of (await engine.metrics.cacheLookups.get()).values) {
    const result = String(v.labels.result);
    lookups.set(result, (lookups.get(result) ?? 0) + v.value);
  }
  return {
    providers: Object.entries(engine.config.providers).map(([name, p]) => ({ name, type: p.type })),
    circuits,
    cache: {
      enabled: engine.cache !== undefined,
      backends: { ...engine.cache?.backends },
      hits: lookups.get("hit") ?? 0,
      semantic_hits: lookups.get("semantic_hit") ?? 0,
      misses: lookups.get("miss") ?? 0,
      bypassed: lookups.get("bypass") ?? 0,
    },
    limits: { shared_state: engine.config.redis ? "redis" : "memory", degraded: engine.quotas.degraded(), in_flight: engine.inFlight },
    uptime_s: Math.round(Date.now() - startedAt) / 1000,
  };
}
