/**
 * An Anthropic Messages request (the gateway's `POST /v1/messages`) → the
 * canonical chat request, so Anthropic SDK clients can reach any provider.
 * Validation is partial, like the rest of the gateway: the fields mapped here
 * are checked, with errors naming the field as Anthropic does
 * (`messages.0.content.1.source`). Unknown keys inside mapped objects are
 * ignored; top-level fields that are not mapped (service_tier, container,
 * …) and `output_config` as sent are kept under NATIVE_FIELDS for an
 * Anthropic upstream (../native-fields.ts decides their fate).
 * `output_config.format` (or the older top-level `output_format`) becomes
 * `response_format: json_schema`, the path every provider takes.
 *
 * Not carried over: `is_error` on tool results (OpenAI tool messages have no
 * such flag), cache_control on tools, server tools (web search, code
 * execution: refused, no other provider runs them), documents by URL.
 */
import { z } from "zod";
import { GatewayError } from "../../../core/errors.js";
import type { ChatMessage, ChatRequest, ContentPart, ToolCall, ToolDefinition } from "../../../core/types.js";
import { NATIVE_FIELDS } from "../native-fields.js";

const cacheControl = z.looseObject({ type: z.string() }).nullish();
const textBlock = z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: cacheControl });
const imageSource = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal("url"), url: z.string() }),
], { error: "image source type must be base64 or url" });
const imageBlock = z.looseObject({ type: z.literal("image"), source: imageSource, cache_control: cacheControl });
const documentSource = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() }),
], { error: "document source type must be base64 or text (URL and file sources are not supported by this gateway)" });
const documentBlock = z.looseObject({ type: z.literal("document"), source: documentSource, title: z.string().nullish(), cache_control: cacheControl });
const toolUseBlock = z.looseObject({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
const thinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });
const redactedBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });
const block = z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedBlock], {
  error: "content block type must be one of text, image, document, tool_use, tool_result, thinking, redacted_thinking",
});
type Block = z.infer<typeof block>;
type InputBlock = z.infer<typeof textBlock> | z.infer<typeof imageBlock> | z.infer<typeof documentBlock>;

const message = z.looseObject({
  role: z.enum(["user", "assistant"], { error: "role must be user or assistant" }),
  content: z.union([z.string(), z.array(block)], { error: "content must be a string or an array of content blocks" }),
});

const tool = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.looseObject({}, { error: "input_schema must be a JSON schema object" }),
  type: z.union([z.literal("custom"), z.null()], { error: "only custom tools (name, description, input_schema) are supported by this gateway" }).optional(),
});

const toolChoice = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("tool"), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
], { error: "tool_choice type must be auto, any, tool or none" });

const thinking = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024, "budget_tokens must be at least 1024") }),
  z.looseObject({ type: z.literal("disabled") }),
  z.looseObject({ type: z.literal("adaptive") }),
], { error: "thinking type must be enabled, disabled or adaptive" });

const outputFormat = z.looseObject({
  type: z.literal("json_schema", { error: "format type must be json_schema" }),
  schema: z.looseObject({}, { error: "schema must be a JSON schema object" }),
}, { error: "format must be an object" });
const outputConfig = z.looseObject({ format: outputFormat.nullish() }, { error: "output_config must be an object" });

const requestSchema = z.looseObject({
  model: z.string({ error: "Field required" }).min(1),
  max_tokens: z.number({ error: "Field required" }).int().min(1),
  messages: z.array(message, { error: "Field required" }),
  system: z.union([z.string(), z.array(textBlock)], { error: "system must be a string or an array of text blocks" }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  output_config: outputConfig.nullish(),
  /** The structured-outputs beta's name for output_config.format (older SDKs send it; newer ones rename it). */
  output_format: outputFormat.nullish(),
});
type AnthropicRequest = z.infer<typeof requestSchema>;

/** count_tokens takes what a message would send, without max_tokens. */
const countSchema = requestSchema.extend({ max_tokens: z.number().int().min(1).optional() });

/** The fields mapped to the canonical request; the output format is mapped and also kept as sent. */
const MAPPED = new Set(Object.keys(requestSchema.shape).filter((k) => k !== "output_config" && k !== "output_format"));

/** What the canonical request cannot say, as sent: top-level fields not mapped, and output_config. */
function nativeFields(body: Record<string, unknown>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(body)) {
    // A null is "not set", as Anthropic reads it.
    if (!MAPPED.has(key) && value !== null && value !== undefined) (out ??= {})[key] = value;
  }
  return out;
}

function dataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

function withCache(part: ContentPart, cc: unknown): ContentPart {
  // Kept as an extra key: the Anthropic adapter sends it back as cache_control, others ignore it.
  return cc ? Object.assign(part, { cache_control: cc }) : part;
}

function toPart(b: InputBlock): ContentPart {
  switch (b.type) {
    case "text":
      return withCache({ type: "text", text: b.text }, b.cache_control);
    case "image": {
      const url = b.source.type === "url" ? b.source.url : dataUrl(b.source.media_type, b.source.data);
      return withCache({ type: "image_url", image_url: { url } }, b.cache_control);
    }
    case "document":
      if (b.source.type === "text") return withCache({ type: "text", text: b.source.data }, b.cache_control);
      return withCache({
        type: "file",
        file: { file_data: dataUrl(b.source.media_type, b.source.data), ...(b.title ? { filename: b.title } : {}) },
      }, b.cache_control);
  }
}

/** A lone plain text part reads better (and costs less) as a string. */
function compact(parts: ContentPart[]): string | ContentPart[] {
  const only = parts[0];
  return parts.length === 1 && only?.type === "text" && !("cache_control" in only) ? only.text : parts;
}

function userMessages(content: Block[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const b of content) {
    if (b.type === "tool_result") {
      const inner = typeof b.content === "string" ? [] : (b.content ?? []);
      const texts = inner.filter((p) => p.type === "text").map((p) => ({ type: "text" as const, text: p.text }));
      // OpenAI tool messages hold text only: images and documents of a result follow as user content.
      parts.push(...inner.filter((p) => p.type !== "text").map(toPart));
      const text = typeof b.content === "string" ? b.content : texts.length === 1 ? texts[0]!.text : texts;
      out.push({ role: "tool", tool_call_id: b.tool_use_id, content: text.length === 0 ? "" : text });
    } else if (b.type === "text" || b.type === "image" || b.type === "document") {
      parts.push(toPart(b));
    }
    // Thinking and tool_use blocks in a user turn mean nothing; Anthropic rejects them too.
  }
  if (parts.length > 0) out.push({ role: "user", content: compact(parts) });
  return out;
}

function assistantMessage(content: Block[]): ChatMessage {
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: Block[] = [];
  for (const b of content) {
    if (b.type === "text") text += b.text;
    else if (b.type === "tool_use") {
      toolCalls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type === "thinking" || b.type === "redacted_thinking") {
      if (b.type === "thinking") reasoning += b.thinking;
      thinkingBlocks.push(b);
    }
  }
  const msg: ChatMessage = { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) msg.tool_calls = toolCalls;
  if (thinkingBlocks.length > 0) {
    msg.reasoning_content = reasoning;
    msg.thinking_blocks = thinkingBlocks;
  }
  return msg;
}

function systemMessage(system: AnthropicRequest["system"]): ChatMessage[] {
  if (system === undefined || system === "" || (Array.isArray(system) && system.length === 0)) return [];
  if (typeof system === "string") return [{ role: "system", content: system }];
  return [{ role: "system", content: compact(system.map(toPart)) }];
}

function toolChoiceOf(choice: NonNullable<AnthropicRequest["tool_choice"]>): ChatRequest["tool_choice"] {
  switch (choice.type) {
    case "auto": return "auto";
    case "any": return "required";
    case "none": return "none";
    case "tool": return { type: "function", function: { name: choice.name } };
  }
}

/** Issues with full paths; a failed union contributes its branches' issues, so the message can point inside it. */
function flatIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  const out: { path: PropertyKey[]; message: string }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    out.push({ path, message: issue.message });
    // A loop, not push(...spread): a branch can hold more issues than a call may take arguments.
    if (issue.code === "invalid_union") for (const branch of issue.errors) for (const i of flatIssues(branch, path)) out.push(i);
  }
  return out;
}

function fail(error: z.ZodError): never {
  // The deepest issue is the most precise one (inside a union: the branch that got furthest).
  const issue = flatIssues(error.issues).sort((a, b) => b.path.length - a.path.length)[0];
  const path = issue?.path.map(String).join(".") ?? "";
  const text = issue?.message ?? "invalid request";
  throw new GatewayError("invalid_request", path ? `${path}: ${text}` : text, { param: path || null });
}

export interface InboundOptions {
  /** A count_tokens request: max_tokens is not required. */
  counting?: boolean;
}

export function anthropicRequestToCanonical(body: unknown, options: InboundOptions = {}): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
  let parsed: ReturnType<typeof countSchema.safeParse>;
  try {
    parsed = (options.counting ? countSchema : requestSchema).safeParse(body);
  } catch (err) {
    // zod gathers an issue per bad element with push(...spread): a few hundred thousand of them overflow the stack.
    if (err instanceof RangeError) throw new GatewayError("invalid_request", "The request holds too many invalid values to report: check the types of its arrays' elements.");
    throw err;
  }
  if (!parsed.success) fail(parsed.error);
  const req = parsed.data;

  const messages: ChatMessage[] = systemMessage(req.system);
  for (const m of req.messages) {
    if (typeof m.content === "string") messages.push({ role: m.role, content: m.content });
    else if (m.role === "user") messages.push(...userMessages(m.content));
    else messages.push(assistantMessage(m.content));
  }

  const out: ChatRequest = { model: req.model, messages };
  if (req.max_tokens !== undefined) out.max_tokens = req.max_tokens;
  if (req.stream) {
    out.stream = true;
    // Anthropic streams always report usage, so the canonical stream must carry it.
    out.stream_options = { include_usage: true };
  }
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.top_k !== undefined) out.top_k = req.top_k;
  if (req.stop_sequences && req.stop_sequences.length > 0) out.stop = req.stop_sequences;
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  if (req.thinking) out.thinking = req.thinking;
  if (req.tools && req.tools.length > 0) {
    out.tools = req.tools.map((t): ToolDefinition => ({
      type: "function",
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema },
    }));
  }
  if (req.tool_choice) {
    out.tool_choice = toolChoiceOf(req.tool_choice);
    if (req.tool_choice.type !== "none" && req.tool_choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  }
  const format = req.output_config?.format ?? req.output_format;
  // Sent without strict: Anthropic takes schemas OpenAI's strict mode refuses (optional properties).
  if (format) out.response_format = { type: "json_schema", json_schema: { name: "structured_output", schema: format.schema } };
  const native = nativeFields(body as Record<string, unknown>);
  if (native) out[NATIVE_FIELDS] = native;
  return out;
}
