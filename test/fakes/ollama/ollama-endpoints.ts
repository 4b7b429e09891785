/**
 * The fake Ollama's generating endpoints: `/api/chat`, `/api/generate` and
 * `/api/embed`, answered as api.md documents them (field order included).
 * Requests are checked the way Ollama's Go JSON binding would reject them,
 * so an adapter that sends a wrongly typed field hears about it here.
 *
 * Answers: "echo: " + the last user text (or `reply`); "Thinking about: …"
 * as `thinking` when `think` is on and the model thinks; tool calls when
 * tools are given and the last user text says "weather"; a runner failure
 * (500, or an `{"error"}` line mid-stream) when it says "crash".
 */
import { embeddingFor, toFloatList } from "../_shared/embedding-vector.js";
import type { IdSource } from "../_shared/fake-ids.js";
import { ndjsonReply, ollamaError, ollamaErrors, ollamaJson } from "./ollama-dialect.js";
import { countWords, lastUserText, limitWords, messageViews, promptTokens, streamPieces } from "../_shared/prompt-text.js";
import type { Reply } from "../_shared/reply.js";
import { planToolCalls, toolCallTokens } from "../_shared/tool-calls.js";

export interface OllamaModelSpec {
  /** Answers `think` with a `thinking` trace (qwen3, deepseek-r1, gpt-oss). */
  thinking: boolean;
  /** Embedding-only: no chat, no generate. */
  embeddingOnly: boolean;
  /** Vector length from /api/embed when `dimensions` is not given. */
  dimensions: number;
}

export interface OllamaEndpointInput {
  body: Record<string, unknown>;
  /** The model as the client named it (Ollama echoes it back unchanged). */
  model: string;
  spec: OllamaModelSpec;
  reply: string | undefined;
  streamChunks: number | undefined;
  ids: IdSource;
}

/** Fixed durations (ns) keep recorded bodies stable. */
const TIMINGS = { total_duration: 182242375, load_duration: 41295167, prompt_eval_duration: 24573166, eval_duration: 115959084 };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Go's encoding/json complaint about a field of the wrong type. */
function typeError(found: unknown, field: string, goType: string): Reply {
  const kind = typeof found === "string" ? "string" : Array.isArray(found) ? "array" : found === null ? "null" : typeof found === "object" ? "object" : typeof found;
  return ollamaError(400, `json: cannot unmarshal ${kind} into Go struct field ${field} of type ${goType}`);
}

function checkMessages(messages: unknown[]): Reply | undefined {
  for (const message of messages) {
    if (!isRecord(message)) return typeError(message, "ChatRequest.messages", "api.Message");
    const { role, content, images, tool_calls: toolCalls, tool_name: toolName } = message;
    if (!["system", "user", "assistant", "tool"].includes(String(role))) return ollamaError(400, `invalid role: ${JSON.stringify(role)}`);
    if (content !== undefined && typeof content !== "string") return typeError(content, "Message.messages.content", "string");
    if (toolName !== undefined && typeof toolName !== "string") return typeError(toolName, "Message.messages.tool_name", "string");
    if (images !== undefined && images !== null) {
      if (!Array.isArray(images)) return typeError(images, "Message.messages.images", "[]api.ImageData");
      for (const image of images) {
        // ImageData is []byte: Go decodes base64 while binding, so a data: URL fails here.
        if (typeof image !== "string" || image.length % 4 !== 0 || !BASE64.test(image)) return ollamaError(400, "illegal base64 data at input byte 4");
      }
    }
    if (toolCalls !== undefined && toolCalls !== null) {
      if (!Array.isArray(toolCalls)) return typeError(toolCalls, "Message.messages.tool_calls", "[]api.ToolCall");
      for (const call of toolCalls) {
        const fn = isRecord(call) ? call.function : undefined;
        if (!isRecord(fn) || typeof fn.name !== "string") return ollamaError(400, "tool call must have a function name");
        if (fn.arguments !== undefined && !isRecord(fn.arguments)) {
          return typeError(fn.arguments, "ToolCallFunction.messages.tool_calls.function.arguments", "api.ToolCallFunctionArguments");
        }
      }
    }
  }
  return undefined;
}

/** Checks what both generating endpoints share: format, options, think. */
function checkCommon(input: OllamaEndpointInput, endpoint: "chat" | "generate"): Reply | undefined {
  const { body, model, spec } = input;
  if (spec.embeddingOnly) return ollamaError(400, `"${model}" does not support ${endpoint}`);
  if (body.format !== undefined && body.format !== "" && body.format !== "json" && !isRecord(body.format)) {
    return ollamaError(400, `invalid format: ${JSON.stringify(body.format)}; expected "json" or a valid JSON schema`);
  }
  if (body.options !== undefined && !isRecord(body.options)) return typeError(body.options, "ChatRequest.options", "map[string]interface {}");
  const think = body.think;
  if (think !== undefined && think !== null && typeof think !== "boolean" && !["low", "medium", "high", "max"].includes(String(think))) {
    return ollamaError(400, `invalid think value: ${JSON.stringify(think)} (must be "high", "medium", "low", true, or false)`);
  }
  if (think !== undefined && think !== false && think !== null && !spec.thinking) return ollamaError(400, `"${model}" does not support thinking`);
  return undefined;
}

/** A JSON value that satisfies a (simple) JSON schema, for structured outputs. */
function sampleFor(schema: unknown, text: string): unknown {
  const spec = isRecord(schema) ? schema : {};
  if (Array.isArray(spec.enum) && spec.enum.length > 0) return spec.enum[0];
  switch (spec.type) {
    case "object": {
      const properties = isRecord(spec.properties) ? spec.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, sampleFor(sub, text)]));
    }
    case "array": return [];
    case "integer": case "number": return 1;
    case "boolean": return true;
    default: return text;
  }
}

interface Planned {
  thinking: string;
  content: string;
  toolCalls: { function: { name: string; arguments: Record<string, unknown> } }[];
  doneReason: "stop" | "length";
  promptTokens: number;
  evalTokens: number;
  crash: boolean;
}

function numPredict(body: Record<string, unknown>): number | undefined {
  const value = isRecord(body.options) ? body.options.num_predict : undefined;
  return typeof value === "number" && value >= 0 ? value : undefined;
}

function plan(input: OllamaEndpointInput, userText: string, promptCount: number, tools: Planned["toolCalls"]): Planned {
  const { body, spec } = input;
  const thinks = spec.thinking && body.think !== undefined && body.think !== false && body.think !== null;
  const thinking = thinks ? `Thinking about: ${userText}` : "";
  let text = input.reply ?? `echo: ${userText}`;
  if (body.format === "json") text = JSON.stringify({ echo: userText });
  else if (isRecord(body.format)) text = JSON.stringify(sampleFor(body.format, userText));
  const limited = tools.length > 0 ? { text: "", truncated: false } : limitWords(text, numPredict(body));
  const evalTokens = countWords(thinking) + (tools.length > 0 ? toolCallTokens(tools.map((t) => ({ id: "", name: t.function.name, arguments: JSON.stringify(t.function.arguments) }))) : countWords(limited.text));
  return {
    thinking,
    content: limited.text,
    toolCalls: tools,
    doneReason: limited.truncated ? "length" : "stop",
    promptTokens: promptCount,
    evalTokens,
    crash: /\bcrash\b/i.test(userText),
  };
}

/** A runner failure after the stream started: a few lines, then the error object (api-errors.mdx). */
function crashedStream(before: unknown[], partials: unknown[]): Reply {
  return ndjsonReply([...before, ...partials, { error: "an error was encountered while running the model" }]);
}

function now(): string {
  return new Date().toISOString();
}

function counts(p: Planned): Record<string, number> {
  return {
    total_duration: TIMINGS.total_duration,
    load_duration: TIMINGS.load_duration,
    prompt_eval_count: p.promptTokens,
    prompt_eval_duration: TIMINGS.prompt_eval_duration,
    eval_count: p.evalTokens,
    eval_duration: TIMINGS.eval_duration,
  };
}

export function handleChat(input: OllamaEndpointInput): Reply {
  const { body, model } = input;
  const invalid = checkCommon(input, "chat");
  if (invalid) return invalid;
  const messages = body.messages ?? [];
  if (!Array.isArray(messages)) return typeError(messages, "ChatRequest.messages", "[]api.Message");
  const badMessage = checkMessages(messages);
  if (badMessage) return badMessage;
  if (body.tools !== undefined && body.tools !== null && !Array.isArray(body.tools)) return typeError(body.tools, "ChatRequest.tools", "api.Tools");
  const stream = body.stream !== false;
  if (messages.length === 0) {
    // An empty chat only loads the model (api.md "Load a model").
    const loaded = { model, created_at: now(), message: { role: "assistant", content: "" }, done_reason: "load", done: true };
    return stream ? ndjsonReply([loaded]) : ollamaJson(200, loaded);
  }
  const views = messageViews(messages);
  const userText = lastUserText(views);
  const planned = planToolCalls(body, views, input.ids);
  const tools = planned.map((call) => ({ function: { name: call.name, arguments: JSON.parse(call.arguments) as Record<string, unknown> } }));
  const p = plan(input, userText, promptTokens(views), tools);
  if (p.crash && !stream) return ollamaErrors.modelFailed();
  const final = (content: string, thinking: string, toolCalls: Planned["toolCalls"]) => {
    const message: Record<string, unknown> = { role: "assistant", content };
    if (thinking) message.thinking = thinking;
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return { model, created_at: now(), message, done_reason: p.doneReason, done: true, ...counts(p) };
  };
  if (!stream) return ollamaJson(200, final(p.content, p.thinking, p.toolCalls));

  const events: unknown[] = [];
  const partial = (message: Record<string, unknown>) => ({ model, created_at: now(), message: { role: "assistant", ...message }, done: false });
  for (const piece of streamPieces(p.thinking, undefined)) events.push(partial({ content: "", thinking: piece }));
  const pieces = streamPieces(p.content, input.streamChunks);
  if (p.crash) return crashedStream(events, pieces.slice(0, 2).map((piece) => partial({ content: piece })));
  for (const piece of pieces) events.push(partial({ content: piece }));
  // Tool calls arrive whole, all in one object (api.md "Streaming with tools").
  if (p.toolCalls.length > 0) events.push(partial({ content: "", tool_calls: p.toolCalls }));
  events.push(final("", "", []));
  return ndjsonReply(events);
}

export function handleGenerate(input: OllamaEndpointInput): Reply {
  const { body, model } = input;
  const invalid = checkCommon(input, "generate");
  if (invalid) return invalid;
  if (body.prompt !== undefined && typeof body.prompt !== "string") return typeError(body.prompt, "GenerateRequest.prompt", "string");
  if (body.suffix !== undefined && typeof body.suffix !== "string") return typeError(body.suffix, "GenerateRequest.suffix", "string");
  const stream = body.stream !== false;
  const prompt = typeof body.prompt === "string" ? body.prompt : "";
  if (prompt === "") {
    const loaded = { model, created_at: now(), response: "", done: true, done_reason: "load" };
    return stream ? ndjsonReply([loaded]) : ollamaJson(200, loaded);
  }
  const p = plan(input, prompt, countWords(prompt), []);
  if (p.crash && !stream) return ollamaErrors.modelFailed();
  const final = (response: string) => ({
    model, created_at: now(), response, done: true, done_reason: p.doneReason, context: [1, 2, 3], ...counts(p),
  });
  if (!stream) return ollamaJson(200, final(p.content));
  const events = streamPieces(p.content, input.streamChunks).map((piece) => ({ model, created_at: now(), response: piece, done: false }));
  if (p.crash) return crashedStream([], events.slice(0, 2));
  events.push(final(""));
  return ndjsonReply(events);
}

export function handleEmbed(input: OllamaEndpointInput): Reply {
  const { body, model, spec } = input;
  const raw = body.input;
  const texts = typeof raw === "string" ? [raw] : Array.isArray(raw) && raw.every((item) => typeof item === "string") ? (raw as string[]) : undefined;
  if (texts === undefined) return ollamaError(400, "invalid input type");
  const dims = body.dimensions;
  if (dims !== undefined && (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1)) return typeError(dims, "EmbedRequest.dimensions", "int");
  const length = typeof dims === "number" ? Math.min(dims, spec.dimensions) : spec.dimensions;
  return ollamaJson(200, {
    model,
    embeddings: texts.map((text) => toFloatList(embeddingFor(text, length))),
    total_duration: 14143917,
    load_duration: 1019500,
    prompt_eval_count: texts.reduce((sum, text) => sum + countWords(text), 0),
  });
}
