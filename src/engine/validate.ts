/**
 * Request validation: deliberately partial. We check what the gateway and
 * every provider rely on (types, required fields, ranges) and let every other
 * field through untouched, so new OpenAI parameters keep working.
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.js";
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from "../core/types.js";

/** The largest `dimensions` an embeddings request may ask for. */
export const MAX_EMBEDDING_DIMENSIONS = 16_384;

const nullable = <T extends z.ZodType>(s: T) => s.nullable().optional();

const textPart = z.looseObject({ type: z.literal("text"), text: z.string({ error: "a text part needs a string 'text'" }) });
const imagePart = z.looseObject({ type: z.literal("image_url"), image_url: z.looseObject({ url: z.string({ error: "an image_url part needs image_url.url (an https URL or a data: URL)" }) }) });
const audioPart = z.looseObject({ type: z.literal("input_audio"), input_audio: z.looseObject({ data: z.string(), format: z.string() }) });
const filePart = z.looseObject({ type: z.literal("file"), file: z.looseObject({}) });
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
const part = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart, refusalPart], {
  error: "unsupported content part: 'type' must be one of text, image_url, input_audio, file, refusal",
});

const toolCall = z.looseObject({
  id: z.string(),
  type: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string({ error: "tool call arguments must be a JSON string" }) }),
});

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"], {
    error: "role must be one of system, developer, user, assistant, tool",
  }),
  content: nullable(z.union([z.string(), z.array(part)], { error: "content must be a string or an array of content parts" })),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
}).refine((m) => m.content != null || m.role === "assistant", {
  error: "content is required (only assistant messages may omit it)",
  path: ["content"],
}).refine((m) => m.role !== "tool" || typeof m.tool_call_id === "string", {
  error: "a tool message needs the tool_call_id it answers",
  path: ["tool_call_id"],
});

const stop = nullable(z.union([z.string(), z.array(z.string()).max(4)], { error: "stop must be a string or an array of up to 4 strings" }));
const model = z.string({ error: "'model' is required: a model name from GET /v1/models, or provider/model" }).min(1, "'model' must not be empty");

const common = {
  model,
  stream: nullable(z.boolean({ error: "stream must be true or false" })),
  stream_options: nullable(z.looseObject({ include_usage: z.boolean().optional() })),
  temperature: nullable(z.number().min(0).max(2)),
  top_p: nullable(z.number().min(0).max(1)),
  n: nullable(z.number().int().min(1).max(128)),
  max_tokens: nullable(z.number().int().min(1)),
  presence_penalty: nullable(z.number().min(-2).max(2)),
  frequency_penalty: nullable(z.number().min(-2).max(2)),
  seed: nullable(z.number().int()),
  user: z.string().optional(),
  stop,
};

/** The chat request schema (exported for the differential test of plainChatRequest). */
export const chatSchema = z.looseObject({
  ...common,
  messages: z.array(message, { error: "'messages' is required: a non-empty array of {role, content} objects" })
    .min(1, "'messages' must contain at least one message"),
  max_completion_tokens: nullable(z.number().int().min(1)),
  tools: z.array(z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string().min(1) }).optional() })).optional(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string() })], {
    error: "tool_choice must be none, auto, required or {type: 'function', function: {name}}",
  }).optional(),
  response_format: z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) }).optional(),
  logprobs: nullable(z.boolean()),
  top_logprobs: nullable(z.number().int().min(0).max(20)),
});

const completionSchema = z.looseObject({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))], {
    error: "'prompt' is required: a string or an array of strings",
  }),
});

const embeddingSchema = z.looseObject({
  model,
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int())).min(1),
  ], { error: "'input' is required: a string or a non-empty array of strings" }),
  encoding_format: z.enum(["float", "base64"]).optional(),
  // Far beyond any embedding model's; a vector of 2^31 would be built in memory before any upstream refused it.
  dimensions: z.number().int().min(1).max(MAX_EMBEDDING_DIMENSIONS).optional(),
  user: z.string().optional(),
});

/*
 * The common request (string contents, plain numeric parameters) checked by
 * hand: zod copies the whole request while it checks it, which was a tenth
 * of the gateway's allocations per request. This answers only "certainly
 * valid"; anything else (and every error message) is the schema's. A
 * differential test holds it to that: whatever it accepts, the schema accepts.
 */
const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
const isNil = (v: unknown) => v === null || v === undefined;
const inRange = (v: unknown, min: number, max: number) => typeof v === "number" && v >= min && v <= max;
const isInt = (v: unknown, min = -Infinity, max = Infinity) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const SIMPLE_CHAT_FIELDS: Record<string, (v: unknown) => boolean> = {
  model: (v) => typeof v === "string" && v.length > 0,
  messages: (v) => Array.isArray(v) && v.length > 0 && v.every(plainMessage),
  stream: (v) => isNil(v) || typeof v === "boolean",
  stream_options: (v) => isNil(v) || (isPlain(v) && (v.include_usage === undefined || typeof v.include_usage === "boolean")),
  temperature: (v) => isNil(v) || inRange(v, 0, 2),
  top_p: (v) => isNil(v) || inRange(v, 0, 1),
  n: (v) => isNil(v) || isInt(v, 1, 128),
  max_tokens: (v) => isNil(v) || isInt(v, 1),
  max_completion_tokens: (v) => isNil(v) || isInt(v, 1),
  presence_penalty: (v) => isNil(v) || inRange(v, -2, 2),
  frequency_penalty: (v) => isNil(v) || inRange(v, -2, 2),
  seed: (v) => isNil(v) || isInt(v),
  user: (v) => v === undefined || typeof v === "string",
  stop: (v) => isNil(v) || typeof v === "string" || (Array.isArray(v) && v.length <= 4 && v.every((x) => typeof x === "string")),
  logprobs: (v) => isNil(v) || typeof v === "boolean",
  top_logprobs: (v) => isNil(v) || isInt(v, 0, 20),
  // Left to the schema whenever present.
  tools: (v) => v === undefined,
  tool_choice: (v) => v === undefined,
  response_format: (v) => v === undefined,
};

function plainMessage(m: unknown): boolean {
  if (!isPlain(m)) return false;
  const role = m.role;
  if (typeof role !== "string" || !ROLES.has(role)) return false;
  if (typeof m.content !== "string" && (!isNil(m.content) || role !== "assistant")) return false;
  if (m.name !== undefined && typeof m.name !== "string") return false;
  if (m.tool_calls !== undefined) return false;
  if (m.tool_call_id !== undefined && typeof m.tool_call_id !== "string") return false;
  return role !== "tool" || typeof m.tool_call_id === "string";
}

/** True only when the chat schema certainly accepts `body` (exported for the differential test). */
export function plainChatRequest(body: unknown): boolean {
  if (!isPlain(body) || body.model === undefined || body.messages === undefined) return false;
  for (const key in body) {
    const ok = Object.hasOwn(SIMPLE_CHAT_FIELDS, key) ? SIMPLE_CHAT_FIELDS[key]!(body[key]) : true;
    if (!ok) return false;
  }
  return true;
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function check<T>(schema: z.ZodType, body: unknown): T {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
  let result: ReturnType<z.ZodType["safeParse"]>;
  try {
    result = schema.safeParse(body);
  } catch (err) {
    // zod gathers an issue per bad element with push(...spread): a few hundred thousand of them overflow the stack.
    if (err instanceof RangeError) throw new GatewayError("invalid_request", "Invalid request: it holds too many invalid values to report; check the types of its arrays' elements.");
    throw err;
  }
  if (result.success) return body as T; // the original object: unknown fields pass untouched
  // The deepest issue is the most useful one to show.
  const issue = [...result.error.issues].sort((a, b) => b.path.length - a.path.length)[0]!;
  const param = pathOf(issue.path);
  const message = issue.message.startsWith("'") || !param ? issue.message : `${param}: ${issue.message}`;
  throw new GatewayError("invalid_request", `Invalid request: ${message}`, { param: param || null });
}

export const validateChat = (body: unknown): ChatRequest => (plainChatRequest(body) ? body as ChatRequest : check<ChatRequest>(chatSchema, body));
export const validateCompletion = (body: unknown): CompletionRequest => check<CompletionRequest>(completionSchema, body);
export const validateEmbedding = (body: unknown): EmbeddingRequest => check<EmbeddingRequest>(embeddingSchema, body);
