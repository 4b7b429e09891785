import { describe, expect, it } from "vitest";
import { sentrySchema, telemetrySchema, tracingSchema } from "../../src/config/telemetry-schema.js";
import type { ErrorReporterConfig } from "../../src/telemetry/error-reporter.js";
import type { TracingConfig } from "../../src/telemetry/tracing.js";

describe("telemetry config", () => {
  it("defaults to tracing off and no Sentry", () => {
    expect(telemetrySchema.parse(undefined)).toEqual({
      tracing: {
        enabled: false, service_name: "liaison", sample_ratio: 1, export_timeout_ms: 10_000,
        batch: { max_queue_size: 2_048, max_export_batch_size: 512, scheduled_delay_ms: 5_000 },
      },
    });
  });

  it("turns tracing on when an endpoint is given, unless told otherwise", () => {
    expect(tracingSchema.parse({ endpoint: "http://collector:4318" })).toMatchObject({ enabled: true, endpoint: "http://collector:4318" });
    expect(tracingSchema.parse({ endpoint: "http://collector:4318", enabled: false }).enabled).toBe(false);
    // An empty value from `${VAR:-}` means no endpoint.
    const empty = tracingSchema.parse({ endpoint: "" });
    expect(empty.enabled).toBe(false);
    expect(empty).not.toHaveProperty("endpoint");
  });

  it("rejects bad values with a path", () => {
    for (const [input, path] of [
      [{ sample_ratio: 2 }, ["sample_ratio"]],
      [{ endpoint: "grpc://x:4317" }, ["endpoint"]],
      [{ batch: { max_queue_size: 10, max_export_batch_size: 20 } }, ["batch", "max_export_batch_size"]],
      [{ exporter: "otlp" }, []],
    ] as const) {
      const result = tracingSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(path);
    }
    expect(sentrySchema.safeParse({ dsn: "not a url" }).success).toBe(false);
    expect(sentrySchema.parse({ dsn: "" }).dsn).toBe("");
  });

  it("produces the configs createTracing and createErrorReporter take", () => {
    const parsed = telemetrySchema.parse({ tracing: { endpoint: "http://c:4318" }, sentry: { dsn: "https://k@o1.ingest.sentry.io/42" } });
    const tracing: TracingConfig = parsed.tracing;
    const sentry: ErrorReporterConfig | undefined = parsed.sentry;
    expect(tracing.enabled).toBe(true);
    expect(sentry?.sample_rate).toBe(1);
  });
});
