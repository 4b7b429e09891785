/**
 * A Responses API request (the gateway's `POST /v1/responses`) → the
 * canonical chat request. Validation is partial, as elsewhere: the fields
 * mapped here are checked, with errors naming the field (`tools.1.type`);
 * unknown fields are ignored.
 *
 * Refused with a 400 naming the field, because the gateway cannot do what
 * they ask: `background: true`, `conversation`, `prompt` (stored prompt
 * templates), `context_management`, tools other than function tools (web
 * search, file search, computer use, MCP, ... run inside OpenAI) and
 * tool_choice values that name them.
 *
 * Accepted and ignored, because ignoring them changes nothing the client
 * can observe beyond what the docs say: `include` (it asks for parts of
 * built-in tool calls and reasoning the gateway never returns),
 * `reasoning.summary` (no reasoning items are returned), `truncation`,
 * `service_tier`, `prompt_cache_key`, `prompt_cache_retention`,
 * `safety_identifier`, `top_logprobs` (no logprobs are returned),
 * `max_tool_calls` (it bounds built-in tool calls; there are none),
 * `stream_options.include_obfuscation` (streams are not obfuscated).
 * `reasoning.effort` maps to the canonical `reasoning_effort`, which each
 * provider translates (or refuses) as it does for chat completions.
 */
import { z } from "zod";
import { GatewayError } from "../../../core/errors.js";
import type { ChatRequest, ToolDefinition } from "../../../core/types.js";
import type { ResponseFunctionTool, ResponseTextFormat, ResponseToolChoice } from "./wire-types.js";

const nullish = <T extends z.ZodType>(s: T) => s.nullish();

const functionTool = z.looseObject({
  type: z.literal("function"),
  name: z.string().min(1),
  description: nullish(z.string()),
  parameters: nullish(z.record(z.string(), z.unknown())),
  strict: nullish(z.boolean()),
});

const CHOICES = "tool_choice must be none, auto, required, {type: 'function', name} or {type: 'allowed_tools', mode, tools} (built-in tools are not supported by this gateway)";
const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("function"), name: z.string().min(1) }),
    z.looseObject({
      type: z.literal("allowed_tools"),
      mode: z.enum(["auto", "required"]),
      tools: z.array(z.looseObject({ type: z.literal("function", { error: "only function tools can be allowed" }), name: z.string().min(1) })),
    }),
  ], { error: CHOICES }),
], { error: CHOICES });

const textFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    description: nullish(z.string()),
    strict: nullish(z.boolean()),
  }),
], { error: "text.format type must be text, json_object or json_schema" });

const refused = (why: string) => z.unknown().refine((v) => v === undefined || v === null, why).optional();

const requestSchema = z.looseObject({
  model: z.string({ error: "'model' is required: a model name from GET /v1/models, or provider/model" }).min(1, "'model' must not be empty"),
  input: z.union([z.string(), z.array(z.unknown())], { error: "input must be a string or an array of input items" }).optional(),
  instructions: nullish(z.string()),
  tools: nullish(z.array(z.unknown())),
  tool_choice: nullish(toolChoice),
  parallel_tool_calls: nullish(z.boolean()),
  temperature: nullish(z.number().min(0).max(2)),
  top_p: nullish(z.number().min(0).max(1)),
  max_output_tokens: nullish(z.number().int().min(1)),
  text: nullish(z.looseObject({ format: textFormat.optional(), verbosity: nullish(z.enum(["low", "medium", "high"])) })),
  reasoning: nullish(z.looseObject({ effort: nullish(z.string()), summary: nullish(z.string()) })),
  metadata: nullish(z.record(z.string(), z.string({ error: "metadata values must be strings" }))),
  store: nullish(z.boolean()),
  previous_response_id: nullish(z.string().regex(/^[\x21-\x7e]{1,256}$/, "must be the id of a stored response (resp_...)")),
  stream: nullish(z.boolean()),
  user: nullish(z.string()),
  background: nullish(z.boolean()).refine((b) => b !== true, "background responses are not supported by this gateway; send the request without it"),
  conversation: refused("conversations are not supported by this gateway; use previous_response_id"),
  prompt: refused("stored prompt templates are not supported by this gateway; send instructions and input"),
  context_management: refused("context management is not supported by this gateway"),
});

type Parsed = z.infer<typeof requestSchema>;

/** A validated Responses request, with its defaults applied. */
export interface ResponsesRequest {
  model: string;
  /** The raw input: a string or items, checked one by one by ./items.ts. */
  input: string | unknown[];
  instructions: string | null;
  tools: ResponseFunctionTool[];
  toolChoice: ResponseToolChoice;
  parallelToolCalls: boolean;
  temperature: number | null;
  topP: number | null;
  maxOutputTokens: number | null;
  format: ResponseTextFormat;
  verbosity: string | null;
  reasoningEffort: string | null;
  metadata: Record<string, string>;
  store: boolean;
  previousResponseId: string | null;
  stream: boolean;
  user: string | null;
}

/** The gateway's message for a zod error: the deepest issue, with its path (`tools.1.type: ...`). */
export function invalid(error: z.ZodError, prefix: readonly PropertyKey[] = []): GatewayError {
  // A failed union contributes its branches' issues (their paths are relative to it): the one that got furthest is the most precise.
  const flat = (issues: readonly z.core.$ZodIssue[], at: readonly PropertyKey[]): { path: PropertyKey[]; message: string }[] =>
    issues.flatMap((i) => {
      const path = [...at, ...i.path];
      return [{ path, message: i.message }, ...(i.code === "invalid_union" ? i.errors.flatMap((branch) => flat(branch, path)) : [])];
    });
  const issue = flat(error.issues, prefix).sort((a, b) => b.path.length - a.path.length)[0];
  const path = (issue?.path ?? prefix).map(String).join(".");
  const text = issue?.message ?? "invalid request";
  return new GatewayError("invalid_request", path ? `${path}: ${text}` : text, { param: path || null });
}

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.");
  }
  let parsed: ReturnType<typeof requestSchema.safeParse>;
  try {
    parsed = requestSchema.safeParse(body);
  } catch (err) {
    // zod gathers an issue per bad element with push(...spread): a few hundred thousand of them overflow the stack.
    if (err instanceof RangeError) throw new GatewayError("invalid_request", "The request holds too many invalid values to report: check the types of its arrays' elements.");
    throw err;
  }
  if (!parsed.success) throw invalid(parsed.error);
  const r: Parsed = parsed.data;
  const tools = (r.tools ?? []).map(functionToolOf);
  return {
    model: r.model,
    input: r.input ?? [],
    instructions: r.instructions ?? null,
    tools,
    toolChoice: r.tool_choice ?? "auto",
    parallelToolCalls: r.parallel_tool_calls ?? true,
    temperature: r.temperature ?? null,
    topP: r.top_p ?? null,
    maxOutputTokens: r.max_output_tokens ?? null,
    format: r.text?.format ?? { type: "text" },
    verbosity: r.text?.verbosity ?? null,
    reasoningEffort: r.reasoning?.effort ?? null,
    metadata: r.metadata ?? {},
    store: r.store ?? true,
    previousResponseId: r.previous_response_id ?? null,
    stream: r.stream ?? false,
    user: r.user ?? null,
  };
}

function functionToolOf(raw: unknown, i: number): ResponseFunctionTool {
  const type = (raw as { type?: unknown } | null)?.type;
  if (type !== "function") {
    const what = typeof type === "string" ? `'${type}' tools run inside OpenAI and are not supported by this gateway` : "a tool needs a type";
    throw new GatewayError("invalid_request", `tools.${i}.type: ${what}; use function tools ({type: 'function', name, parameters})`, { param: `tools.${i}.type` });
  }
  const t = functionTool.safeParse(raw);
  if (!t.success) throw invalid(t.error, ["tools", i]);
  const { name, description, parameters, strict } = t.data;
  return { type: "function", name, description: description ?? null, parameters: parameters ?? null, strict: strict ?? null };
}

function toolDefinition(t: ResponseFunctionTool): ToolDefinition {
  return {
    type: "function",
    function: {
      name: t.name,
      ...(t.description !== null ? { description: t.description } : {}),
      ...(t.parameters !== null ? { parameters: t.parameters } : {}),
      ...(t.strict !== null ? { strict: t.strict } : {}),
    },
  };
}

/** tools and tool_choice, canonical; allowed_tools narrows the tools sent to the ones it names. */
function toolsOf(req: ResponsesRequest): Pick<ChatRequest, "tools" | "tool_choice"> {
  const choice = req.toolChoice;
  let tools = req.tools;
  let toolChoice: ChatRequest["tool_choice"];
  if (typeof choice === "string") toolChoice = choice;
  else if (choice.type === "function") toolChoice = { type: "function", function: { name: String(choice.name) } };
  else {
    const allowed = new Set((choice.tools as { name: string }[]).map((t) => t.name));
    tools = tools.filter((t) => allowed.has(t.name));
    toolChoice = choice.mode as "auto" | "required";
  }
  if (tools.length === 0) return {};
  return { tools: tools.map(toolDefinition), ...(toolChoice === "auto" ? {} : { tool_choice: toolChoice }) };
}

function responseFormatOf(format: ResponseTextFormat): ChatRequest["response_format"] {
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type !== "json_schema") return undefined;
  const { name, schema, description, strict } = format;
  return {
    type: "json_schema",
    json_schema: {
      name, schema,
      ...(typeof description === "string" ? { description } : {}),
      ...(typeof strict === "boolean" ? { strict } : {}),
    },
  };
}

/** The canonical request for `messages` (the conversation so far, this request's input included). */
export function toChatRequest(req: ResponsesRequest, messages: ChatRequest["messages"]): ChatRequest {
  if (messages.length === 0) {
    throw new GatewayError("invalid_request", "input: required (a string or a non-empty array of input items)", { param: "input" });
  }
  // Instructions are this request's only: a continued conversation does not carry the earlier ones.
  const out: ChatRequest = {
    model: req.model,
    messages: req.instructions ? [{ role: "system", content: req.instructions }, ...messages] : messages,
  };
  if (req.stream) {
    out.stream = true;
    // response.completed carries usage: the canonical stream must report it.
    out.stream_options = { include_usage: true };
  }
  if (req.maxOutputTokens !== null) out.max_tokens = req.maxOutputTokens;
  if (req.temperature !== null) out.temperature = req.temperature;
  if (req.topP !== null) out.top_p = req.topP;
  if (req.user !== null) out.user = req.user;
  Object.assign(out, toolsOf(req));
  if (out.tools && !req.parallelToolCalls) out.parallel_tool_calls = false;
  const format = responseFormatOf(req.format);
  if (format) out.response_format = format;
  if (req.verbosity !== null) out.verbosity = req.verbosity;
  if (req.reasoningEffort !== null) out.reasoning_effort = req.reasoningEffort;
  return out;
}
