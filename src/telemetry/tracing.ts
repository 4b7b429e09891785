/**
 * Request tracing (OpenTelemetry). `createTracing` picks the mode once at
 * start-up: with tracing configured it loads the SDK (dynamic import, so a
 * gateway without tracing never loads it); otherwise requests get a shared
 * no-op span, or the client's own trace passed through to the upstream.
 */
import { passthroughTracing } from "./tracing/passthrough.js";
import type { Tracing, TracingConfig, TracingLog } from "./tracing/types.js";

export type { AttributeValue, Attributes, SpanFailure, SpanHandle, Tracing, TracingConfig, TracingLog } from "./tracing/types.js";
export { NOOP_SPAN } from "./tracing/passthrough.js";
export { formatTraceparent, parseTraceparent, type TraceParent } from "./tracing/traceparent.js";
export {
  GEN_AI, SEMCONV, genAiProviderAttributes, genAiRequestAttributes, genAiResponseAttributes,
  genAiSpanName, genAiUsageAttributes,
  type GenAiOperation, type GenAiRequestFields, type GenAiResponseFields,
} from "./tracing/gen-ai.js";

export async function createTracing(config: TracingConfig | undefined, log?: TracingLog): Promise<Tracing> {
  if (!config?.enabled) return passthroughTracing;
  const { createSdkTracing } = await import("./tracing/sdk-tracing.js");
  return createSdkTracing(config, log);
}
