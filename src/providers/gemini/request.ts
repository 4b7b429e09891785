/**
 * Canonical ChatRequest → GenerateContentRequest (v1beta; the v1 subset is
 * noted where it differs).
 *
 * Mapped: messages (contents.ts), tools and tool_choice, response_format,
 * max_tokens / max_completion_tokens, temperature, top_p, top_k, n, stop,
 * seed, presence_penalty, frequency_penalty, logprobs / top_logprobs,
 * reasoning_effort (thinking budget), the config's safety settings.
 * Not mapped (no Gemini equivalent): user, metadata, store, logit_bias,
 * parallel_tool_calls, service_tier, modalities/audio, prediction.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest, ToolDefinition } from "../../core/types.js";
import { toConversation } from "./contents.js";
import { toGeminiSchema } from "./json-schema.js";
import { requiresThoughtSignatures } from "./tool-call-ids.js";
import type {
  GenerateContentRequest, GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiSafetySetting, GeminiToolConfig,
} from "./wire-types.js";

export interface GeminiRequestOptions {
  apiVersion: "v1beta" | "v1";
  safetySettings?: GeminiSafetySetting[];
  includeThoughts?: boolean;
}

/**
 * OpenAI's reasoning_effort → thinkingConfig.thinkingBudget, with the
 * budgets Google's own OpenAI-compatible endpoint uses.
 */
const THINKING_BUDGETS: Record<string, number> = { none: 0, minimal: 1024, low: 1024, medium: 8192, high: 24576 };

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function functionDeclaration(tool: ToolDefinition, i: number): GeminiFunctionDeclaration {
  if (tool.type !== "function") {
    throw new GatewayError("unsupported_operation", `Gemini only takes function tools; tools[${i}] has type '${String(tool.type)}'.`, { param: `tools[${i}].type` });
  }
  const { name, description, parameters } = tool.function;
  const declaration: GeminiFunctionDeclaration = { name };
  if (description !== undefined) declaration.description = description;
  if (parameters !== undefined) {
    const schema = toGeminiSchema(parameters, `tools[${i}].function.parameters`);
    // Gemini rejects an OBJECT without properties; a function without parameters simply has none.
    const empty = schema.type === "OBJECT" && Object.keys(schema.properties ?? {}).length === 0;
    if (!empty) declaration.parameters = schema;
  }
  return declaration;
}

function toolConfig(choice: ChatRequest["tool_choice"]): GeminiToolConfig | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
}

function generationConfig(request: ChatRequest, options: GeminiRequestOptions): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const maxTokens = num(request.max_completion_tokens) ?? num(request.max_tokens);
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  const temperature = num(request.temperature);
  if (temperature !== undefined) config.temperature = temperature;
  const topP = num(request.top_p);
  if (topP !== undefined) config.topP = topP;
  const topK = num(request.top_k);
  if (topK !== undefined) config.topK = topK;
  const n = num(request.n);
  if (n !== undefined) config.candidateCount = n;
  if (typeof request.stop === "string") config.stopSequences = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length > 0) config.stopSequences = request.stop;
  const seed = num(request.seed);
  if (seed !== undefined) config.seed = seed;
  const presence = num(request.presence_penalty);
  if (presence !== undefined) config.presencePenalty = presence;
  const frequency = num(request.frequency_penalty);
  if (frequency !== undefined) config.frequencyPenalty = frequency;
  if (request.logprobs === true) {
    config.responseLogprobs = true;
    const top = num(request.top_logprobs);
    if (top !== undefined) config.logprobs = top;
  }
  const format = request.response_format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  else if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    const schema = format.json_schema?.schema;
    if (typeof schema === "object" && schema !== null && !Array.isArray(schema)) {
      config.responseSchema = toGeminiSchema(schema as Record<string, unknown>, "response_format.json_schema.schema");
    }
  }
  const effort = typeof request.reasoning_effort === "string" ? THINKING_BUDGETS[request.reasoning_effort] : undefined;
  if (effort !== undefined || options.includeThoughts) {
    config.thinkingConfig = {
      ...(options.includeThoughts ? { includeThoughts: true } : {}),
      ...(effort !== undefined ? { thinkingBudget: effort } : {}),
    };
  }
  return config;
}

/** v1 has no tools, function parts, file URIs, JSON mode or thinking (v1/*.proto). */
function checkV1(body: GenerateContentRequest): void {
  const parts = body.contents.flatMap((c) => c.parts);
  const unsupported = [
    body.tools ? "tools" : undefined,
    parts.some((p) => p.functionCall || p.functionResponse) ? "tool calls in messages" : undefined,
    parts.some((p) => p.fileData) ? "http(s) media URLs (send data: URLs)" : undefined,
    body.generationConfig?.responseMimeType ? "response_format" : undefined,
    body.generationConfig?.thinkingConfig ? "reasoning_effort / include_thoughts" : undefined,
  ].filter((f): f is string => f !== undefined);
  if (unsupported.length > 0) {
    throw new GatewayError("unsupported_operation", `Gemini's v1 API does not support ${unsupported.join(", ")}; configure api_version: v1beta.`, { param: unsupported[0] });
  }
}

export function toGenerateContentRequest(request: ChatRequest, options: GeminiRequestOptions): GenerateContentRequest {
  const { system, contents } = toConversation(request.messages, requiresThoughtSignatures(request.model));
  const body: GenerateContentRequest = { contents };
  if (system.length > 0) {
    if (options.apiVersion === "v1beta") body.systemInstruction = { parts: system };
    // v1 has no systemInstruction: the instructions open the first user turn instead.
    else if (contents[0]?.role === "user") contents[0].parts.unshift(...system);
    else contents.unshift({ role: "user", parts: system });
  }
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = [{ functionDeclarations: tools.map(functionDeclaration) }];
    const config = toolConfig(request.tool_choice);
    if (config !== undefined) body.toolConfig = config;
  }
  if (options.safetySettings !== undefined && options.safetySettings.length > 0) body.safetySettings = options.safetySettings;
  const config = generationConfig(request, options);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (options.apiVersion === "v1") checkV1(body);
  return body;
}
