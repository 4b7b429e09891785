/**
 * What the steps of the pipeline are built from: the engine's long-lived
 * parts, made once by createEngine. A step factory takes these and returns
 * a Step; nothing here is per request.
 */
import type { GatewayError } from "../core/errors.js";
import type { Config } from "../config/schema.js";
import type { ResponseCache } from "../cache/index.js";
import type { PriceCatalogue } from "../cost/index.js";
import type { Logger } from "../telemetry/logger.js";
import type { Metrics } from "../telemetry/metrics.js";
import type { Tracing } from "../telemetry/tracing.js";
import type { ErrorReporter } from "../telemetry/error-reporter.js";
import type { InternalErrors } from "../telemetry/internal-errors.js";
import type { Timeouts } from "../providers/types.js";
import type { Health } from "./health/index.js";
import type { Outcomes } from "./outcomes.js";
import type { Quotas } from "./quotas/index.js";
import type { Router } from "./router.js";
import type { LiveTargetStats } from "./routing/target-stats.js";

export interface EngineParts {
  readonly config: Config;
  readonly router: Router;
  readonly health: Health;
  readonly quotas: Quotas;
  readonly stats: LiveTargetStats;
  readonly catalogue: PriceCatalogue;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly tracing: Tracing;
  readonly errors: ErrorReporter;
  readonly internalErrors: InternalErrors;
  /** Finishes requests and records them (metrics, spans, the log row) off the request path. */
  readonly outcomes: Outcomes;
  /** The response cache; read at call time (it is made after the engine, whose embeddings it uses). */
  cache(): ResponseCache | undefined;
  timeoutsOf(provider: string): Timeouts;
  /** Removes configured provider credentials from an upstream error's text. */
  scrub(e: GatewayError): void;
}
