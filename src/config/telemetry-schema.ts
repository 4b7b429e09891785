/**
 * Config fragments for tracing (OpenTelemetry, OTLP/HTTP export) and error
 * reporting (Sentry). Kept apart from schema.ts, which composes them, so the
 * telemetry settings read in one place.
 */
import { z } from "zod";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const tracingSchema = z
  .strictObject({
    /** Defaults to on when an endpoint is given. */
    enabled: z.boolean().optional(),
    /** OTLP/HTTP: a base URL (`/v1/traces` is appended) or the full traces URL. Unset: OTEL_EXPORTER_OTLP_* variables, else http://localhost:4318. */
    endpoint: z.union([z.literal(""), httpUrl]).optional(),
    /** Sent with every export, e.g. a backend's API key. */
    headers: z.record(z.string(), z.string()).optional(),
    service_name: z.string().min(1).default("liaison"),
    /** Share of new traces recorded; a client's sampled flag is followed either way. */
    sample_ratio: z.number().min(0).max(1).default(1),
    export_timeout_ms: z.number().int().positive().default(10_000),
    batch: z.strictObject({
      max_queue_size: z.number().int().positive().default(2_048),
      max_export_batch_size: z.number().int().positive().default(512),
      scheduled_delay_ms: z.number().int().positive().default(5_000),
    }).refine((b) => b.max_export_batch_size <= b.max_queue_size, {
      message: "max_export_batch_size must not exceed max_queue_size",
      path: ["max_export_batch_size"],
    }).prefault({}),
  })
  .transform(({ enabled, endpoint, ...rest }) => {
    // An empty value (`${OTEL_ENDPOINT:-}` with the variable unset) means none.
    const url = endpoint === "" ? undefined : endpoint;
    return { ...rest, ...(url === undefined ? {} : { endpoint: url }), enabled: enabled ?? url !== undefined };
  });

export const sentrySchema = z.strictObject({
  /** The project DSN; unset (or empty) turns reporting off. Needs the optional @sentry/node package. */
  dsn: z.union([z.literal(""), z.url({ protocol: /^https?$/, error: "must be a Sentry DSN (https://KEY@HOST/PROJECT)" })]).optional(),
  environment: z.string().min(1).optional(),
  /** Share of errors sent. */
  sample_rate: z.number().min(0).max(1).default(1),
  release: z.string().min(1).optional(),
});

/** Suggested placement: `telemetry: { tracing, sentry }` at the top of the config. */
export const telemetrySchema = z.strictObject({
  tracing: tracingSchema.prefault({}),
  sentry: sentrySchema.optional(),
}).prefault({});

