/**
 * OpenTelemetry GenAI semantic conventions: attribute names and attribute
 * builders for the request and attempt spans. How each provider is named is
 * the provider's own knowledge, passed in (GenAiProviderNames).
 *
 * The spec renamed `gen_ai.system` to `gen_ai.provider.name` (and some values:
 * az.ai.openai → azure.ai.openai, gemini → gcp.gemini). Backends still read
 * either, so both are set, each with its own spelling of the value.
 */
import type { Attributes } from "./types.js";

export const GEN_AI = {
  OPERATION_NAME: "gen_ai.operation.name",
  PROVIDER_NAME: "gen_ai.provider.name",
  /** Deprecated in favour of PROVIDER_NAME; kept for backends on older conventions. */
  SYSTEM: "gen_ai.system",
  REQUEST_MODEL: "gen_ai.request.model",
  REQUEST_MAX_TOKENS: "gen_ai.request.max_tokens",
  REQUEST_TEMPERATURE: "gen_ai.request.temperature",
  REQUEST_TOP_P: "gen_ai.request.top_p",
  REQUEST_SEED: "gen_ai.request.seed",
  REQUEST_CHOICE_COUNT: "gen_ai.request.choice.count",
  REQUEST_STOP_SEQUENCES: "gen_ai.request.stop_sequences",
  REQUEST_ENCODING_FORMATS: "gen_ai.request.encoding_formats",
  RESPONSE_MODEL: "gen_ai.response.model",
  RESPONSE_ID: "gen_ai.response.id",
  RESPONSE_FINISH_REASONS: "gen_ai.response.finish_reasons",
  USAGE_INPUT_TOKENS: "gen_ai.usage.input_tokens",
  USAGE_OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
} as const;

/** General (non-GenAI) conventions the spans use. */
export const SEMCONV = {
  ERROR_TYPE: "error.type",
  HTTP_RESPONSE_STATUS_CODE: "http.response.status_code",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
} as const;

export type GenAiOperation = "chat" | "text_completion" | "embeddings";

/**
 * How the conventions name one provider. Telemetry knows no provider: whoever
 * builds the attributes passes the names in (the provider registry's
 * genAiNamesOf(type) has them).
 */
export interface GenAiProviderNames {
  /** gen_ai.provider.name */
  providerName: string;
  /** gen_ai.system, the deprecated attribute, where its spelling of the value differs. */
  system: string;
}

/** Both provider attributes at once. A bare provider type is the transitional form (see legacyNames). */
export function genAiProviderAttributes(names: GenAiProviderNames): Attributes {
  return { [GEN_AI.PROVIDER_NAME]: names.providerName, [GEN_AI.SYSTEM]: names.system };
}

/** The span name the spec asks for: "{operation} {model}". */
export function genAiSpanName(operation: GenAiOperation, model: string): string {
  return `${operation} ${model}`;
}

/** The request fields the conventions describe (chat, completion and embedding requests all fit). */
export interface GenAiRequestFields {
  model: string;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  encoding_format?: string;
}

/**
 * Attributes of a request or attempt span. The provider is known on attempt
 * spans (and on the request span once routed); the model is the one asked for
 * at that level: the client's name on the request span, the upstream's on an attempt.
 */
export function genAiRequestAttributes(operation: GenAiOperation, request: GenAiRequestFields, provider?: GenAiProviderNames): Attributes {
  const stop = request.stop ?? undefined;
  return {
    [GEN_AI.OPERATION_NAME]: operation,
    ...(provider === undefined ? {} : genAiProviderAttributes(provider)),
    [GEN_AI.REQUEST_MODEL]: request.model,
    [GEN_AI.REQUEST_MAX_TOKENS]: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    [GEN_AI.REQUEST_TEMPERATURE]: request.temperature ?? undefined,
    [GEN_AI.REQUEST_TOP_P]: request.top_p ?? undefined,
    [GEN_AI.REQUEST_SEED]: request.seed ?? undefined,
    // The spec records choice.count only when it is not 1.
    [GEN_AI.REQUEST_CHOICE_COUNT]: request.n != null && request.n !== 1 ? request.n : undefined,
    [GEN_AI.REQUEST_STOP_SEQUENCES]: typeof stop === "string" ? [stop] : stop,
    [GEN_AI.REQUEST_ENCODING_FORMATS]: request.encoding_format === undefined ? undefined : [request.encoding_format],
  };
}

/** The response fields the conventions describe (chat, completion and embedding responses all fit). */
export interface GenAiResponseFields {
  id?: string;
  model?: string;
  choices?: readonly { finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export function genAiResponseAttributes(response: GenAiResponseFields): Attributes {
  const reasons = response.choices?.map((c) => c.finish_reason).filter((r): r is string => typeof r === "string");
  return {
    [GEN_AI.RESPONSE_ID]: response.id,
    [GEN_AI.RESPONSE_MODEL]: response.model,
    [GEN_AI.RESPONSE_FINISH_REASONS]: reasons !== undefined && reasons.length > 0 ? reasons : undefined,
    ...genAiUsageAttributes(response.usage),
  };
}

/** Token counts (for streams, where usage arrives in the last chunk). */
export function genAiUsageAttributes(usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined): Attributes {
  return {
    [GEN_AI.USAGE_INPUT_TOKENS]: usage?.prompt_tokens,
    [GEN_AI.USAGE_OUTPUT_TOKENS]: usage?.completion_tokens,
  };
}
