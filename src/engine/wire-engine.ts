/**
 * The engine's start-up wiring: the parts that follow the config file
 * (./config-parts.ts: prices, providers, router, response cache — rebuilt on
 * a reload), the store (migrated), shared health and quotas (Redis when
 * configured), authentication, tracing, error reporting, the request-log
 * writer and retention — everything the pipeline's steps are built from.
 */
import type { Config } from "../config/schema.js";
import type { GatewayError } from "../core/errors.js";
import { Authenticator } from "../keys/authenticator.js";
import { KeyAdmin } from "../keys/key-admin.js";
import { KeyCache } from "../keys/key-cache.js";
import { Redactor } from "../privacy/redactor.js";
import { createStore } from "../store/create-store.js";
import { LogWriter } from "../store/log-writer.js";
import { RetentionJob } from "../store/retention/retention-job.js";
import type { Store } from "../store/types.js";
import { createErrorReporter, type ErrorReporter } from "../telemetry/error-reporter.js";
import { InternalErrors } from "../telemetry/internal-errors.js";
import { createLogger, type Logger } from "../telemetry/logger.js";
import { Metrics } from "../telemetry/metrics.js";
import { createTracing, type Tracing } from "../telemetry/tracing.js";
import { retireConfigParts, wireConfigParts, type ConfigParts, type Embed } from "./config-parts.js";
import type { EngineParts } from "./engine-parts.js";
import { createHealth } from "./health/index.js";
import { Outcomes } from "./outcomes.js";
import { createQuotas } from "./quotas/index.js";
import { LiveTargetStats } from "./routing/target-stats.js";
import type { NamedStep } from "./steps/index.js";

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
  /** Changes the pipeline's list of steps (adds one, say); given the standard list, outermost first. */
  steps?: (pipeline: readonly NamedStep[]) => readonly NamedStep[];
}

/** The parts, plus what only the engine itself holds (for its public API and close()). */
export interface EngineWiring extends EngineParts, ConfigParts {
  readonly store: Store | undefined;
  readonly auth: Authenticator;
  readonly keyAdmin: KeyAdmin | undefined;
  readonly writer: LogWriter | undefined;
  readonly retention: RetentionJob | undefined;
  /** privacy.redact.before_upstream: prompts leave for the provider with personal data replaced. */
  readonly outbound: <T extends { model: string }>(request: T) => T;
  readonly keepBodies: boolean;
  readonly steps: EngineDeps["steps"];
}

/** `embed` reaches the engine being built: the semantic cache's embeddings go through the gateway itself. */
export async function wireEngine(config: Config, deps: EngineDeps, embed: Embed): Promise<EngineWiring> {
  const logger = deps.logger ?? createLogger(config.logging.level);
  const metrics = deps.metrics ?? new Metrics();
  // What follows the config file first (prices, providers, routers): a bad one stops start-up before anything else is opened.
  const parts = await wireConfigParts(config, { metrics, logger, embed });
  let store = deps.store;
  if (!store && config.logging.requests) {
    try {
      store = await createStore(config.storage.url);
      await store.migrate();
    } catch (err) {
      await retireConfigParts(parts, undefined);
      throw err;
    }
  }
  const b = config.routing.circuit_breaker;
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
  const internalErrors = new InternalErrors({ count: (site) => metrics.internalErrors.inc({ site }), logger });
  const writer = store && config.logging.requests ? logWriter(store, config, metrics, logger) : undefined;
  const r = config.privacy.redact;
  const redactor = r.enabled || r.before_upstream ? new Redactor({ ...(r.kinds ? { kinds: r.kinds } : {}), custom: r.custom }) : undefined;
  const stored = r.enabled ? redactor : undefined;
  const keepBodies = config.logging.bodies;
  const outcomes = new Outcomes({ metrics, tracing, logger, errors, internalErrors, writer, keepBodies, redact: stored ? (v) => stored.redactValue(v) : (v) => v });
  const stats = new LiveTargetStats();
  metrics.sources.degraded = () => ({ ...quotas.degraded() });
  metrics.sources.inFlight = () => outcomes.inFlight;
  const keys = store?.keys?.();
  return withConfigParts({
    health, quotas, stats, metrics, logger, tracing, errors, internalErrors, outcomes,
    store, auth, writer, keepBodies,
    keyAdmin: keys ? new KeyAdmin({ store: keys, cache: auth.cache }) : undefined,
    retention: store ? retentionJob(store, config, logger) : undefined,
    outbound: config.privacy.redact.before_upstream && redactor ? (request) => ({ ...redactor.redactValue(request), model: request.model }) : (request) => request,
    steps: deps.steps,
  }, parts);
}

/** The process-long parts: everything the wiring holds but what follows the config file. */
export type LastingParts = Omit<EngineWiring, keyof ConfigParts | "cache" | "timeoutsOf" | "scrub">;

/** The wiring from the process-long parts and one generation of config parts (at start, and on each reload). */
export function withConfigParts(lasting: LastingParts, parts: ConfigParts): EngineWiring {
  const { health, metrics } = lasting;
  const { router, timeouts, scrubber, responseCache } = parts;
  metrics.sources.circuits = () => router.configuredTargets().map((t) => health.breakers.snapshot(t.key));
  return {
    ...lasting,
    ...parts,
    cache: () => responseCache,
    timeoutsOf: (provider) => timeouts.get(provider)!,
    scrub: (e: GatewayError) => {
      const clean = scrubber.scrub(e.message);
      if (clean !== e.message) e.message = clean;
    },
  };
}

function logWriter(store: Store, config: Config, metrics: Metrics, logger: Logger): LogWriter {
  const writer = new LogWriter(store, {
    maxQueue: config.logging.queue_size,
    batchSize: config.logging.batch_size,
    flushIntervalMs: config.logging.flush_interval_ms,
    ...(config.logging.spool_max_mb > 0 ? { spool: { dir: config.logging.spool_dir, maxBytes: Math.floor(config.logging.spool_max_mb * 1024 * 1024) } } : {}),
    hooks: {
      onWritten: (n) => metrics.logRowsWritten.inc(n),
      onDropped: (n, reason) => {
        metrics.logRowsDropped.inc({ reason }, n);
        logger.error({ rows: n, reason }, "request-log rows could not be stored");
      },
      onError: (err, attempt) => {
        metrics.logWriteErrors.inc();
        logger.warn({ err: (err as Error)?.message, attempt }, "request-log write failed; will retry");
      },
    },
  });
  metrics.sources.logQueueDepth = () => writer.depth;
  metrics.sources.logSpoolBytes = () => writer.spoolBytes;
  return writer;
}

/** Old rows deleted and bodies dropped sooner than rows (logging.retention), off the request path, in batches. */
function retentionJob(store: Store, config: Config, logger: Logger): RetentionJob | undefined {
  const retention = config.logging.retention;
  if (!retention || !(retention.rows_days || retention.bodies_days)) return undefined;
  const job = new RetentionJob({
    retention: store.retention(),
    ...(retention.rows_days ? { rowsMaxAgeDays: retention.rows_days } : {}),
    ...(retention.bodies_days ? { bodiesMaxAgeDays: retention.bodies_days } : {}),
    intervalMs: retention.interval_ms,
    onError: (err, phase) => logger.warn({ err: (err as Error)?.message, phase }, "request-log retention failed; will try again"),
    onRun: (result) => {
      if (result.deleted || result.stripped) logger.info(result, "request-log retention ran");
    },
  });
  job.start();
  return job;
}
