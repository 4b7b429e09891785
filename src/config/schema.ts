/**
 * The configuration file's schema (DESIGN.md §2). Validated once at start-up;
 * typed objects flow down from here. Objects are strict so a misspelt key is
 * reported instead of silently ignored.
 */
import { z } from "zod";
import { modelNameProblem } from "../core/model-name.js";
import { ms, timeoutsSchema } from "../providers/_shared/timeouts-schema.js";
import { providerSchema } from "../providers/registry.js";
import { pricesSchema } from "../cost/price-config.js";
import { KINDS } from "../privacy/detectors.js";
import { cacheSchema } from "./cache-schema.js";
import { telemetrySchema } from "./telemetry-schema.js";

// Each provider's block lives in its folder; the registry unites them.
export { providerSchema, timeoutsSchema };
export type { ProviderConfig } from "../providers/registry.js";
export type { TimeoutsConfig } from "../providers/_shared/timeouts-schema.js";

export const targetSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1).superRefine((name, ctx) => {
    const problem = modelNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: `not a usable model name: ${problem}` });
  }),
  weight: z.number().positive().default(1),
  /** For `priority`: lower first (default: list order). */
  priority: z.number().int().optional(),
  /** USD per million tokens, for `lowest-cost` and `adaptive`. */
  price: z.strictObject({ input: z.number().min(0), output: z.number().min(0) }).optional(),
  /** The catalogue model this target is priced as (an Azure deployment named prod-chat → gpt-4o); default: the model the upstream says it served, else `model`. */
  price_model: z.string().min(1).optional(),
  /** The upstream's own limits: the router skips the target at its limit instead of earning 429s. */
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
});

/** `routing.providers.NAME`: what every target on the provider gets unless it says otherwise. */
export const providerRoutingSchema = z.strictObject({
  /** Providers that `NAME/model` (and a prefix rule or default_provider landing on NAME) tries next, in order, with the same model. */
  fallbacks: z.array(z.string().min(1)).default([]),
  /** The priority of targets on this provider that set none (`priority` strategy; lower first). */
  priority: z.number().int().optional(),
  /** The upstream rpm of each target on this provider that sets none (counted per provider and model, as a target's rpm is). */
  rpm: z.number().int().positive().optional(),
});

export const STRATEGIES = ["weighted", "round-robin", "least-busy", "least-latency", "lowest-cost", "priority", "adaptive", "learned", "cascade"] as const;

/** A trained router (`liaison router train`) for `learned` and `cascade`. */
export const routerBlockSchema = z.strictObject({
  /** The router file, relative to the working directory. */
  file: z.string().min(1),
  /** The share of the strongest target's quality to keep over all traffic. */
  quality: z.number().gt(0).max(1).default(0.95),
});

const modelName = z.string().min(1);

export const retrySchema = z.strictObject({
  /** Upstream attempts per request, across targets and fallbacks. */
  max_attempts: z.number().int().min(1).max(20).default(3),
  /** Time budget for the whole request including retries (the total timeout still applies). */
  budget_ms: ms.default(60_000),
  /** Exponential backoff with full jitter: delay = random(0, min(max, base · 2^n)). */
  base_delay_ms: z.number().int().min(0).default(100),
  max_delay_ms: z.number().int().min(0).default(2_000),
  /** Retry-After from an upstream is honoured up to this long; longer → try another target instead. */
  max_retry_after_ms: z.number().int().min(0).default(10_000),
});

export const breakerSchema = z.strictObject({
  consecutive_failures: z.number().int().min(1).default(5),
  error_rate: z.number().gt(0).max(1).default(0.5),
  min_requests: z.number().int().min(1).default(20),
  window_ms: ms.default(60_000),
  cooldown_ms: ms.default(30_000),
  half_open_probes: z.number().int().min(1).default(1),
});

export const modelSchema = z.strictObject({
  targets: z.array(targetSchema).min(1),
  strategy: z.enum(STRATEGIES).default("weighted"),
  /** Models to try, in order, when every target of this one failed. */
  fallbacks: z.array(modelName).default([]),
  /** Models with a larger context window, for requests too long for this one. */
  context_window_fallbacks: z.array(modelName).default([]),
  /** Models to try when this one refuses on content policy. */
  content_policy_fallbacks: z.array(modelName).default([]),
  retry: retrySchema.partial().optional(),
  router: routerBlockSchema.optional(),
}).superRefine((m, ctx) => {
  if ((m.strategy === "learned" || m.strategy === "cascade") && m.targets.length < 2) ctx.addIssue({ code: "custom", path: ["targets"], message: `strategy ${m.strategy} needs two or more targets` });
  if (m.strategy === "learned" && !m.router) ctx.addIssue({ code: "custom", path: ["router"], message: "strategy learned needs a router: { file: ./router.json } (liaison router train makes one)" });
});

export const configSchema = z.strictObject({
  server: z.strictObject({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(4000),
    /** Largest accepted request body. */
    body_limit_mb: z.number().positive().max(1024).default(20),
    /** How long SIGTERM waits for in-flight requests. */
    shutdown_timeout_ms: ms.default(10_000),
    /** JSON bodies and the x-liaison-metadata header nested deeper than this are refused with a 400. */
    max_json_depth: z.number().int().min(2).max(1_000).default(64),
    /** The whole request (headers and body) must have arrived within this; 408 after. */
    request_timeout_ms: ms.default(60_000),
    /** The request's headers must have arrived within this; 408 after. */
    headers_timeout_ms: ms.default(30_000),
    /** Connections held at once; further ones are closed at once (unset: no limit but the file-descriptor limit). */
    max_connections: z.number().int().positive().optional(),
    /** Browser origins allowed to call the gateway (CORS); preflights are answered without a key. Default: none. */
    cors: z.strictObject({
      /** Exact origins (https://app.example.com), or "*" for any. */
      origins: z.union([z.literal("*"), z.array(z.string().regex(/^https?:\/\/[^/]+$/, "an origin is scheme://host[:port], without a path"))]).default([]),
      /** How long a browser may cache a preflight answer. */
      max_age_s: z.number().int().min(0).default(600),
    }).optional(),
  }).prefault({}),
  admin_key: z.string().min(1).optional(),
  storage: z.strictObject({
    url: z.string().regex(/^(sqlite|postgres|postgresql|memory):/, "must start with sqlite:, postgres:, postgresql: or memory:").default("sqlite://./liaison.db"),
  }).prefault({}),
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL"),
    /** Key prefix, so several gateways (or test runs) can share one Redis without sharing state. */
    prefix: z.string().regex(/^[A-Za-z0-9:_-]*$/).default("liaison:"),
    /** While Redis is unreachable, each instance admits at most this share of a key's or team's limit, counting from the last shared counts it saw. */
    degraded_share: z.number().gt(0).max(1).default(1),
  }).optional(),
  logging: z.strictObject({
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Keep request and response bodies in the log rows. */
    bodies: z.boolean().default(false),
    /** Turn the request log off entirely. */
    requests: z.boolean().default(true),
    /** Rows held in memory while the store cannot write (then the spool takes them). */
    queue_size: z.number().int().positive().default(10_000),
    /** Where rows wait on disk once the memory queue is full (created when first needed). */
    spool_dir: z.string().min(1).default("./liaison-spool"),
    /** The spool's bound on disk; rows are dropped (and counted) only when it and the memory queue are both full. 0 turns the spool off. */
    spool_max_mb: z.number().min(0).default(256),
    batch_size: z.number().int().positive().max(5_000).default(500),
    flush_interval_ms: ms.default(200),
    /** Old rows deleted, and bodies dropped sooner than rows (off the request path, in batches). */
    retention: z.strictObject({
      rows_days: z.number().positive().optional(),
      bodies_days: z.number().positive().optional(),
      interval_ms: ms.default(3_600_000),
    }).optional(),
  }).prefault({}),
  /** Personal data and secrets kept out of storage (and, if asked, out of upstream requests). */
  privacy: z.strictObject({
    redact: z.strictObject({
      /** Redact request/response bodies and metadata before they are stored. */
      enabled: z.boolean().default(true),
      kinds: z.array(z.enum(KINDS)).optional(),
      custom: z.array(z.strictObject({ name: z.string().regex(/^[a-z0-9_]+$/i), pattern: z.string().min(1), flags: z.string().regex(/^[imsu]*$/).optional() })).default([]),
      /** Also redact prompts before they leave for the provider. */
      before_upstream: z.boolean().default(false),
    }).prefault({}),
  }).prefault({}),
  timeouts: timeoutsSchema.prefault({}),
  /** Response cache, exact and semantic. */
  cache: cacheSchema,
  /** Traces (OpenTelemetry, OTLP/HTTP) and error reporting (Sentry). */
  telemetry: telemetrySchema,
  providers: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "provider names may use letters, digits, _ . -"), providerSchema).default({}),
  /** A provider list in CSV (DESIGN.md §7), relative to the config file; merged with `providers:` when the config is loaded (config/providers-csv.ts). */
  providers_csv: z.string().min(1).optional(),
  models: z.record(z.string().min(1), modelSchema).default({}),
  routing: z.strictObject({
    retry: retrySchema.prefault({}),
    circuit_breaker: breakerSchema.prefault({}),
    /** A model name no route, alias, provider/ prefix or prefix rule matches goes here; unset: 404. Zero-config sets it to ollama when OLLAMA_BASE_URL is set. */
    default_provider: z.string().min(1).optional(),
    /** Per provider: defaults for every target on it, and the providers `provider/model` addressing tries next (providers_csv fills these). */
    providers: z.record(z.string().min(1), providerRoutingSchema).default({}),
  }).prefault({}),
  /** Per-key and per-team limits: what happens when the shared counters (Redis) are unreachable. */
  limits: z.strictObject({
    redis_failure: z.enum(["open", "closed"]).default("open"),
    parallel_lease_ms: ms.default(60_000),
  }).prefault({}),
  budgets: z.strictObject({
    redis_failure: z.enum(["open", "closed"]).default("open"),
    flush_interval_ms: ms.default(1_000),
    webhook: z.strictObject({
      url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
      secret: z.string().min(16, "use at least 16 characters"),
      thresholds: z.array(z.number().positive()).min(1).default([50, 80, 100]),
      timeout_ms: ms.default(5_000),
      retries: z.number().int().min(0).max(10).default(2),
    }).optional(),
  }).prefault({}),
  /** Prices (USD per million tokens): overrides by upstream model or provider/model, flat or under `models:`; `file:` loads a price file over the shipped catalogue (cost/price-config.ts). */
  prices: pricesSchema,
  /** Other names for a model: `claude-sonnet: anthropic/claude-sonnet-4-5`, or a configured model name. */
  aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** MCP gateway (docs/mcp.md): the MCP servers whose tools, prompts and resources /mcp serves, named `NAME__tool`. */
  mcp: z.strictObject({
    /** Per tools/call: the wait for a server to start or restart and the call itself; a server's own timeout_ms wins. */
    timeout_ms: ms.default(30_000),
    /** A stdio server that exits is restarted after this delay, doubled after each failed start up to the maximum. */
    restart: z.strictObject({ initial_delay_ms: ms.default(250), max_delay_ms: ms.default(30_000) }).prefault({}),
    servers: z.record(
      // `__` separates a server from its tool, so a server name never holds it (nor ends in `_`).
      z.string().max(64).regex(/^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/, "MCP server names use letters, digits, - and single _ between them (__ separates a server from its tool)"),
      z.union([
        z.strictObject({ command: z.string().min(1), args: z.array(z.string()).default([]), env: z.record(z.string(), z.string()).optional(), cwd: z.string().min(1).optional(), timeout_ms: ms.optional() }),
        z.strictObject({ url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }), headers: z.record(z.string(), z.string()).optional(), timeout_ms: ms.optional() }),
      ]),
    ).default({}),
  }).optional(),
  /** Workflow files (`<name>.yaml`) read at start (docs/workflows.md); default: ./workflows when it exists. */
  workflows: z.strictObject({
    dir: z.string().min(1).optional(),
  }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
