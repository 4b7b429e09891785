/**
 * Canonical chat request → `POST /api/chat` body (api.md "Generate a chat
 * completion"). What Ollama's native API cannot express is refused with a
 * 400 naming the field, before anything is sent; fields it has no use for
 * (user, parallel_tool_calls, service_tier, metadata, ...) are dropped.
 */
import type { ChatMessage, ChatRequest, ContentPart, ToolDefinition } from "../../core/types.js";
import { unsupported } from "./errors.js";
import type {
  OllamaChatRequest, OllamaKeepAlive, OllamaMessage, OllamaThink, OllamaTool, OllamaToolCall,
} from "./wire.js";

/** What the provider's config adds under every request. */
export interface OllamaDefaults {
  keepAlive?: OllamaKeepAlive;
  options?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

const SAMPLING = ["temperature", "top_p", "top_k", "min_p", "seed", "presence_penalty", "frequency_penalty", "repeat_penalty"] as const;

/**
 * Model options, lowest precedence first: the config's `options`, then a
 * client's own Ollama `options` object (num_ctx, repeat_penalty, ...), then
 * the OpenAI parameters mapped onto Ollama's names.
 */
export function modelOptions(request: Record<string, unknown>, defaults: OllamaDefaults): Record<string, unknown> | undefined {
  const options: Record<string, unknown> = { ...defaults.options, ...(isRecord(request.options) ? request.options : {}) };
  // Same names on both sides; top_k, min_p and repeat_penalty are not OpenAI's but clients send them.
  for (const name of SAMPLING) {
    const value = request[name];
    if (isNumber(value)) options[name] = value;
  }
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (isNumber(maxTokens)) options.num_predict = maxTokens;
  const stop = request.stop;
  if (typeof stop === "string") options.stop = [stop];
  else if (Array.isArray(stop) && stop.length > 0) options.stop = stop;
  return Object.keys(options).length > 0 ? options : undefined;
}

export function keepAlive(request: Record<string, unknown>, defaults: OllamaDefaults): OllamaKeepAlive | undefined {
  const own = request.keep_alive;
  return typeof own === "string" || isNumber(own) ? own : defaults.keepAlive;
}

/** Refuses `n > 1`: Ollama answers with one message per call. */
export function assertSingleChoice(request: { n?: number | null }): void {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw unsupported("Ollama returns one choice per request; n must be 1.", "n");
  }
}

const EFFORT_TO_THINK: Record<string, OllamaThink> = {
  none: false,
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "max",
  max: "max",
};
const THINK_LEVELS = new Set<unknown>(["low", "medium", "high", "max"]);

/** A canonical `think` (Ollama's own parameter, passed through) wins over `reasoning_effort`. */
function think(request: ChatRequest): OllamaThink | undefined {
  const own = request.think;
  if (own !== undefined && own !== null) {
    if (typeof own === "boolean" || THINK_LEVELS.has(own)) return own as OllamaThink;
    throw unsupported('think must be true, false, "low", "medium", "high" or "max".', "think");
  }
  const effort = request.reasoning_effort;
  if (effort === undefined || effort === null) return undefined;
  const mapped = typeof effort === "string" ? EFFORT_TO_THINK[effort] : undefined;
  if (mapped === undefined) throw unsupported(`reasoning_effort ${JSON.stringify(effort)} has no Ollama equivalent.`, "reasoning_effort");
  return mapped;
}

function format(request: ChatRequest): OllamaChatRequest["format"] {
  const rf = request.response_format;
  if (!rf || rf.type === "text") return undefined;
  if (rf.type === "json_object") return "json";
  const schema = rf.json_schema?.schema;
  if (!isRecord(schema)) throw unsupported("response_format json_schema needs a `schema` object.", "response_format.json_schema.schema");
  return schema;
}

/** The text of a data: URL's base64 payload; Ollama takes images only as bare base64. */
function imageBase64(url: string, param: string): string {
  const comma = url.indexOf(",");
  if (url.startsWith("data:") && comma !== -1 && url.slice(0, comma).endsWith(";base64")) return url.slice(comma + 1);
  if (url.startsWith("data:")) throw unsupported("Image data: URLs must be base64-encoded (data:image/...;base64,...).", param);
  throw unsupported(
    "Ollama's native API accepts images only as base64 data: URLs (data:image/png;base64,...); it cannot fetch image URLs. Download the image and send its bytes inline.",
    param,
  );
}

/** Text and images of a message's content; other part kinds have no Ollama equivalent. */
function splitContent(content: ChatMessage["content"], param: string): { text: string; images: string[] } {
  if (content === undefined || content === null) return { text: "", images: [] };
  if (typeof content === "string") return { text: content, images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((part: ContentPart, j) => {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "refusal") texts.push(part.refusal);
    else if (part.type === "image_url") images.push(imageBase64(part.image_url.url, `${param}[${j}].image_url.url`));
    else throw unsupported(`Ollama's chat API does not take ${part.type} content parts.`, `${param}[${j}]`);
  });
  return { text: texts.join("\n"), images };
}

function toolCallArguments(raw: string, param: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw unsupported("Tool call arguments must be valid JSON (Ollama takes them as an object).", param);
  }
  if (!isRecord(parsed)) throw unsupported("Tool call arguments must be a JSON object.", param);
  return parsed;
}

function message(m: ChatMessage, param: string, text: string, callNames: Map<string, string>): OllamaMessage {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: text };
    case "user":
      return { role: "user", content: text };
    case "assistant": {
      const out: OllamaMessage = { role: "assistant", content: text };
      if (typeof m.reasoning_content === "string" && m.reasoning_content !== "") out.thinking = m.reasoning_content;
      if (m.tool_calls && m.tool_calls.length > 0) {
        out.tool_calls = m.tool_calls.map((call, j): OllamaToolCall => {
          callNames.set(call.id, call.function.name);
          const args = toolCallArguments(call.function.arguments, `${param}.tool_calls[${j}].function.arguments`);
          return { function: { name: call.function.name, arguments: args } };
        });
      }
      return out;
    }
    case "tool": {
      const name = (m.tool_call_id === undefined ? undefined : callNames.get(m.tool_call_id)) ?? m.name;
      return name === undefined ? { role: "tool", content: text } : { role: "tool", content: text, tool_name: name };
    }
    case "function":
      // The legacy function-calling result: named by function already.
      return m.name === undefined ? { role: "tool", content: text } : { role: "tool", content: text, tool_name: m.name };
    default:
      throw unsupported(`Ollama has no message role ${JSON.stringify(m.role)}.`, `${param}.role`);
  }
}

function messages(request: ChatRequest): OllamaMessage[] {
  // Ollama names a tool result by function, OpenAI by call id: remember each call's function.
  const callNames = new Map<string, string>();
  return request.messages.map((m, i) => {
    const param = `messages[${i}]`;
    const { text, images } = splitContent(m.content, `${param}.content`);
    const out = message(m, param, text, callNames);
    if (images.length > 0) out.images = images;
    return out;
  });
}

function toOllamaTool(tool: ToolDefinition, i: number): OllamaTool {
  if (tool.type !== "function") throw unsupported("Ollama supports only function tools.", `tools[${i}].type`);
  const { name, description, parameters } = tool.function;
  const fn: OllamaTool["function"] = { name, parameters: parameters ?? { type: "object", properties: {} } };
  if (description !== undefined) fn.description = description;
  return { type: "function", function: fn };
}

/**
 * The one tool a request forces — a named function, or "required" with a
 * single tool — or undefined. Ollama has no tool_choice, so a forced tool is
 * sent as structured output instead (`format`: the tool's parameters) and the
 * JSON answer becomes a call to it (response.ts, stream.ts): clients that
 * force a tool for structured output (the Anthropic SDKs, LangChain's
 * functionCalling) get their call.
 */
export function forcedTool(request: ChatRequest): { name: string; parameters: Record<string, unknown> } | undefined {
  const list = request.tools;
  if (!list || list.length === 0) return undefined;
  const choice = request.tool_choice;
  const tool = typeof choice === "object" && choice !== null
    ? list.find((t) => t.function?.name === (choice as { function?: { name?: string } }).function?.name)
    : choice === "required" && list.length === 1 ? list[0] : undefined;
  if (!tool?.function) return undefined;
  const parameters = tool.function.parameters;
  return { name: tool.function.name, parameters: isRecord(parameters) ? parameters : { type: "object", properties: {} } };
}

/**
 * Ollama has no tool_choice. "none" is honoured by sending no tools; a single
 * forced tool as structured output (forcedTool); "required" with several
 * tools cannot be enforced and is sent as "auto" would be.
 */
function tools(request: ChatRequest): OllamaTool[] | undefined {
  const list = request.tools;
  if (!list || list.length === 0) return undefined;
  const choice = request.tool_choice;
  if (choice === "none") return undefined;
  const all = list.map(toOllamaTool);
  if (typeof choice !== "object") return all;
  const named = all.filter((tool) => tool.function.name === choice.function.name);
  if (named.length === 0) throw unsupported(`tool_choice names ${JSON.stringify(choice.function.name)}, which is not among the tools.`, "tool_choice");
  return named;
}

export function toOllamaChatRequest(request: ChatRequest, defaults: OllamaDefaults, stream: boolean): OllamaChatRequest {
  assertSingleChoice(request);
  const wire: OllamaChatRequest = { model: request.model, messages: messages(request), stream };
  const forced = forcedTool(request);
  if (forced) {
    wire.format = forced.parameters as OllamaChatRequest["format"];
  } else {
    const toolList = tools(request);
    if (toolList) wire.tools = toolList;
    const fmt = format(request);
    if (fmt !== undefined) wire.format = fmt;
  }
  const options = modelOptions(request, defaults);
  if (options) wire.options = options;
  const alive = keepAlive(request, defaults);
  if (alive !== undefined) wire.keep_alive = alive;
  const thinking = think(request);
  if (thinking !== undefined) wire.think = thinking;
  if (request.logprobs === true) {
    wire.logprobs = true;
    if (isNumber(request.top_logprobs)) wire.top_logprobs = request.top_logprobs;
  }
  return wire;
}
