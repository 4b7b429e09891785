/**
 * Canonical chat request → Converse request body (the model travels in the
 * URL, not the body).
 *
 * Mapped: messages (see request-messages.ts), max_tokens /
 * max_completion_tokens, temperature, top_p, stop → inferenceConfig; tools and
 * tool_choice → toolConfig; response_format json_schema → outputConfig.
 * OpenAI parameters Converse has no place for (n=1, seed, penalties, logprobs,
 * user, parallel_tool_calls, …) are dropped; n > 1 and logprobs are refused.
 * Any other extra field (top_k, thinking, …) goes to the model through
 * additionalModelRequestFields, and Bedrock's own top-level fields
 * (guardrailConfig, performanceConfig, requestMetadata, …) pass through.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest } from "../../core/types.js";
import { FAMILY_NAMES, type FamilyQuirks } from "./model-family.js";
import { toConverseMessages } from "./request-messages.js";
import type { ConverseRequestBody, WireMessage, WireToolChoice } from "./wire-types.js";

/** OpenAI fields that are mapped above or deliberately dropped; never forwarded. */
const OPENAI_FIELDS = new Set([
  "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p",
  "n", "stop", "seed", "tools", "tool_choice", "response_format", "user", "logprobs", "top_logprobs",
  "presence_penalty", "frequency_penalty", "logit_bias", "parallel_tool_calls", "metadata", "store",
  "service_tier", "reasoning_effort", "verbosity", "modalities", "audio", "prediction", "web_search_options",
  "functions", "function_call", "prompt_cache_key", "safety_identifier",
]);

/** Converse's own top-level fields, for clients that know they talk to Bedrock. */
const NATIVE_FIELDS = new Set([
  "guardrailConfig", "performanceConfig", "requestMetadata", "additionalModelResponseFieldPaths", "promptVariables", "serviceTier",
]);

function invalid(message: string, param: string): GatewayError {
  return new GatewayError("invalid_request", message, { param });
}

function toolChoiceOf(choice: ChatRequest["tool_choice"], quirks: FamilyQuirks, model: string): WireToolChoice | undefined {
  if (choice === undefined || choice === "auto") return choice === undefined ? undefined : { auto: {} };
  const forced = choice === "required" ? { any: {} } : typeof choice === "object" ? { tool: { name: choice.function.name } } : undefined;
  if (forced === undefined) return undefined;
  if (!quirks.forcedToolChoice) {
    // Bedrock would answer with a ValidationException; say why, before spending a round trip.
    throw invalid(
      `Bedrock model '${model}' (${FAMILY_NAMES[quirks.family]}) only supports tool_choice "auto"; "required" and named tool choices need e.g. an Anthropic Claude or Amazon Nova model.`,
      "tool_choice",
    );
  }
  return forced;
}

/**
 * Converse refuses toolUse/toolResult blocks in the history unless toolConfig
 * is defined. When the request declares no tools (or says tool_choice "none")
 * the tools named in the history are declared with an open schema, so the
 * conversation is still accepted.
 */
function historyTools(messages: WireMessage[]): ConverseRequestBody["toolConfig"] {
  const names = new Set<string>();
  for (const m of messages) for (const b of m.content) if ("toolUse" in b) names.add(b.toolUse.name);
  if (names.size === 0) return undefined;
  return { tools: [...names].map((name) => ({ toolSpec: { name, inputSchema: { json: { type: "object" } } } })) };
}

function toolConfigOf(request: ChatRequest, quirks: FamilyQuirks, messages: WireMessage[]): ConverseRequestBody["toolConfig"] {
  const tools = request.tools ?? [];
  // tool_choice "none": Converse has no such choice, so the tools are not sent at all.
  if (tools.length === 0 || request.tool_choice === "none") return historyTools(messages);
  const toolChoice = toolChoiceOf(request.tool_choice, quirks, request.model);
  return {
    tools: tools.map((t) => ({
      toolSpec: {
        name: t.function.name,
        ...(t.function.description ? { description: t.function.description } : {}),
        inputSchema: { json: t.function.parameters ?? { type: "object", properties: {} } },
      },
    })),
    ...(toolChoice ? { toolChoice } : {}),
  };
}

function inferenceConfigOf(request: ChatRequest): ConverseRequestBody["inferenceConfig"] {
  const config: NonNullable<ConverseRequestBody["inferenceConfig"]> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  if (request.stop != null) {
    const stops = (typeof request.stop === "string" ? [request.stop] : request.stop).filter((s) => s !== "");
    if (stops.length > 0) config.stopSequences = stops;
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

/** response_format json_schema → Converse structured output; json_object has no Converse equivalent and is dropped. */
function outputConfigOf(request: ChatRequest): Record<string, unknown> | undefined {
  const format = request.response_format;
  if (format?.type !== "json_schema" || format.json_schema === undefined) return undefined;
  const { name, description, schema } = format.json_schema as { name?: unknown; description?: unknown; schema?: unknown };
  return {
    textFormat: {
      type: "json_schema",
      structure: {
        jsonSchema: {
          // Converse takes the schema as a JSON string.
          schema: JSON.stringify(schema ?? {}),
          ...(typeof name === "string" ? { name } : {}),
          ...(typeof description === "string" ? { description } : {}),
        },
      },
    },
  };
}

export function toConverseRequest(request: ChatRequest, quirks: FamilyQuirks): ConverseRequestBody {
  if (request.n != null && request.n > 1) throw invalid("Bedrock returns one choice per request; n must be 1.", "n");
  if (request.logprobs === true) throw invalid("Bedrock's Converse API does not return logprobs.", "logprobs");

  const { system, messages } = toConverseMessages(request.messages, quirks, request.model);
  const body: ConverseRequestBody = { messages };
  if (system.length > 0) body.system = system;
  const inferenceConfig = inferenceConfigOf(request);
  if (inferenceConfig) body.inferenceConfig = inferenceConfig;
  const toolConfig = toolConfigOf(request, quirks, messages);
  if (toolConfig) body.toolConfig = toolConfig;
  const outputConfig = outputConfigOf(request);
  if (outputConfig) body.outputConfig = outputConfig;

  const additional: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined || OPENAI_FIELDS.has(key)) continue;
    if (key === "additionalModelRequestFields" && typeof value === "object" && value !== null) Object.assign(additional, value);
    else if (NATIVE_FIELDS.has(key)) body[key] = value;
    else additional[key] = value;
  }
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  return body;
}
