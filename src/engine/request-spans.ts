/**
 * A request's spans (OpenTelemetry GenAI conventions): the request span
 * started with the call, a child per upstream attempt, and the attributes
 * both get once the answer is complete.
 */
import { genAiNamesOf } from "../providers/registry.js";
import type { Endpoint } from "./call-options.js";
import type { RequestRecord } from "./request-record.js";
import type { TargetRef } from "./routing/types.js";
import {
  genAiRequestAttributes, genAiSpanName, genAiUsageAttributes, GEN_AI, NOOP_SPAN, SEMCONV,
  type Attributes, type GenAiOperation, type GenAiRequestFields, type SpanHandle, type Tracing,
} from "../telemetry/tracing.js";

/** The endpoints of model calls; /mcp's tool calls have spans of their own (startToolSpan). */
type ModelEndpoint = Exclude<Endpoint, "/mcp">;

/** The GenAI operation name of each model endpoint. */
const GEN_AI_OPERATION: Record<ModelEndpoint, GenAiOperation> = {
  "/v1/chat/completions": "chat",
  "/v1/messages": "chat",
  "/v1/responses": "chat",
  "/v1/completions": "text_completion",
  "/v1/embeddings": "embeddings",
};

/** A model call's operation: only model calls reach the helpers below (a tool call's record starts with startToolSpan). */
function operationOf(rec: RequestRecord): GenAiOperation {
  return GEN_AI_OPERATION[rec.operationEndpoint as ModelEndpoint];
}

/** Starts the request's span when tracing is on or the client sent a traceparent (which the span then continues). */
export function startRequestSpan(tracing: Tracing, rec: RequestRecord, traceparent: string | undefined): void {
  if (!tracing.enabled && !traceparent) return;
  const op = operationOf(rec);
  const o = rec.options;
  const attrs: Attributes = tracing.enabled
    ? { [GEN_AI.OPERATION_NAME]: op, [GEN_AI.REQUEST_MODEL]: rec.model ?? undefined, "liaison.request_id": rec.requestId, "liaison.endpoint": rec.endpoint, "liaison.stream": rec.stream, "liaison.key_id": o.keyId ?? undefined, "liaison.team_id": o.teamId ?? undefined }
    : {};
  rec.traced(tracing.startRequest(genAiSpanName(op, rec.model ?? "unknown"), attrs, traceparent));
}

/** The validated request's GenAI attributes (max_tokens, temperature, ...), on the request span and kept for attempt spans. */
export function describeRequest(tracing: Tracing, rec: RequestRecord, request: unknown): void {
  if (!tracing.enabled || rec.span === NOOP_SPAN) return;
  rec.describedForTraces(request as GenAiRequestFields);
  rec.span.setAttributes(genAiRequestAttributes(operationOf(rec), rec.traceFields!));
}

/**
 * An MCP tool call's span (OpenTelemetry GenAI `execute_tool`, named after the
 * tool), when tracing is on or the client sent a traceparent; endSpans closes it.
 */
export function startToolSpan(tracing: Tracing, rec: RequestRecord, traceparent: string | undefined): void {
  if (!tracing.enabled && !traceparent) return;
  const o = rec.options;
  const attrs: Attributes = tracing.enabled
    ? { [GEN_AI.OPERATION_NAME]: "execute_tool", "gen_ai.tool.name": rec.model ?? undefined, "mcp.method.name": "tools/call", "liaison.request_id": rec.requestId, "liaison.endpoint": rec.endpoint, "liaison.key_id": o.keyId ?? undefined, "liaison.team_id": o.teamId ?? undefined }
    : {};
  rec.traced(tracing.startRequest(`execute_tool ${rec.model ?? "unknown"}`, attrs, traceparent));
}

/** A child span for one upstream attempt; the request's own span when only a client's trace is passed through. */
export function startAttemptSpan(tracing: Tracing, rec: RequestRecord, target: TargetRef): SpanHandle | undefined {
  if (rec.span === NOOP_SPAN) return undefined;
  if (!tracing.enabled) return rec.span; // the client's trace passed through: no spans of ours
  const op = operationOf(rec);
  return rec.span.child(genAiSpanName(op, target.model), {
    ...genAiRequestAttributes(op, { ...rec.traceFields, model: target.model }, genAiNamesOf(target.provider.type)),
    "liaison.provider": target.provider.name,
    "liaison.attempt": rec.attempts,
  });
}

/** Closes the request's spans with what the answer turned out to be (GenAI response and usage attributes). */
export function endSpans(tracing: Tracing, rec: RequestRecord, status: number): void {
  if (tracing.enabled) {
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
