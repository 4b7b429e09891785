/**
 * Canonical chat request → Anthropic Messages request body.
 *
 * Decisions (docs: the Anthropic provider page):
 *  - max_tokens is required upstream: max_completion_tokens, else max_tokens,
 *    else the config's default_max_tokens, else a per-model default.
 *  - temperature is clamped to Anthropic's 0..1 (OpenAI allows 0..2): the same
 *    request must keep working when a router falls back from OpenAI to Claude.
 *  - Only parameters with an Anthropic meaning are sent (Anthropic rejects
 *    unknown fields); seed, penalties, logprobs and logit_bias are dropped.
 *    n > 1 has no equivalent and is refused.
 *  - response_format json_object → a system instruction; json_schema → a
 *    forced tool whose input schema is the schema (its input comes back as the
 *    message content), or `output_config.format` with structured_output:
 *    native, or a system instruction when the request has its own tools or
 *    uses thinking (forcing a tool is not allowed with thinking).
 *  - Fields of a `/v1/messages` request the canonical format cannot hold
 *    (native-fields.ts: service_tier, output_config as sent, …) go out as
 *    the client sent them; its `output_config.format` (or older
 *    `output_format`) then replaces the response_format derived from it.
 *  - Extended thinking: a canonical `thinking` object passes through;
 *    reasoning_effort maps to a budget. Thinking counts inside max_tokens, so
 *    max_tokens is raised by the budget when it would leave no room for it,
 *    and temperature/top_p/top_k are not sent (Anthropic rejects them then);
 *    nor are they with anthropic_version 2026-10-21 or later, which has none.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest } from "../../core/types.js";
import { nativeFieldsOf } from "./native-fields.js";
import { toAnthropicPrompt } from "./request-messages.js";
import type { MessagesRequest, TextBlockParam, ThinkingParam, ToolChoiceParam, ToolParam } from "./wire-types.js";

export interface RequestOptions {
  stream: boolean;
  defaultMaxTokens?: number;
  structuredOutput?: "tool" | "native";
  /**
   * Whether temperature/top_p/top_k may be sent: API version 2026-10-21
   * removed them from the Messages API (see samplingAllowed()).
   */
  sampling?: boolean;
}

export interface PreparedRequest {
  body: MessagesRequest;
  /** Name of the tool forced to carry a json_schema answer; its input is the message content. */
  jsonTool?: string;
}

/** Output ceilings that are safe for every model of a family (claude-3 Haiku/Sonnet/Opus stop at 4096). */
export function defaultMaxTokens(model: string): number {
  return /claude-(3-(haiku|sonnet|opus)|2|instant)/.test(model) ? 4096 : 8192;
}

/** Sampling parameters exist up to API version 2026-10-21 (ISO dates compare as strings). */
export function samplingAllowed(anthropicVersion: string): boolean {
  return anthropicVersion < "2026-10-21";
}

/** reasoning_effort → thinking budget (Anthropic's minimum budget is 1024). */
export const EFFORT_BUDGETS: Readonly<Record<string, number>> = { minimal: 1024, low: 2048, medium: 8192, high: 16384 };

const JSON_OBJECT_INSTRUCTION = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";
const DEFAULT_JSON_TOOL = "json_response";

function thinkingOf(req: ChatRequest): ThinkingParam | undefined {
  const t = req.thinking;
  if (typeof t === "object" && t !== null && typeof (t as { type?: unknown }).type === "string") return t as ThinkingParam;
  const effort = req.reasoning_effort;
  if (typeof effort === "string" && effort in EFFORT_BUDGETS) return { type: "enabled", budget_tokens: EFFORT_BUDGETS[effort]! };
  return undefined;
}

function toolsOf(req: ChatRequest): ToolParam[] {
  return (req.tools ?? []).map((tool, i) => {
    if (tool.type !== "function" || !tool.function?.name) {
      throw new GatewayError("invalid_request", `tools[${i}]: only function tools are supported for Anthropic models.`, { param: `tools[${i}]` });
    }
    const { name, description, parameters } = tool.function;
    return {
      name,
      ...(description ? { description } : {}),
      input_schema: parameters ?? { type: "object", properties: {} },
    };
  });
}

function toolChoiceOf(req: ChatRequest): ToolChoiceParam | undefined {
  const choice = req.tool_choice;
  const single = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", ...single };
  if (typeof choice === "object" && choice !== null) return { type: "tool", name: choice.function.name, ...single };
  return choice === "auto" || req.parallel_tool_calls === false ? { type: "auto", ...single } : undefined;
}

function withInstruction(system: MessagesRequest["system"], text: string): string | TextBlockParam[] {
  if (system === undefined) return text;
  if (typeof system === "string") return `${system}\n\n${text}`;
  return [...system, { type: "text", text }];
}

function schemaInstruction(schema: unknown): string {
  return `Respond with a single valid JSON value that conforms to this JSON schema, and nothing else (no prose, no code fences):\n${JSON.stringify(schema)}`;
}

export function toAnthropicRequest(req: ChatRequest, options: RequestOptions): PreparedRequest {
  if (typeof req.n === "number" && req.n > 1) {
    throw new GatewayError("unsupported_operation", "n > 1 is not supported by Anthropic models; send separate requests.", { param: "n" });
  }
  const prompt = toAnthropicPrompt(req.messages);
  let maxTokens = req.max_completion_tokens ?? req.max_tokens ?? options.defaultMaxTokens ?? defaultMaxTokens(req.model);
  const thinking = thinkingOf(req);
  const thinkingOn = thinking !== undefined && thinking.type !== "disabled";
  if (thinking?.type === "enabled" && maxTokens <= thinking.budget_tokens) maxTokens += thinking.budget_tokens;

  const body: MessagesRequest = { model: req.model, max_tokens: maxTokens, messages: prompt.messages };
  if (prompt.system !== undefined) body.system = prompt.system;
  const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (stop && stop.length > 0) body.stop_sequences = stop;
  if (!thinkingOn && options.sampling !== false) {
    if (typeof req.temperature === "number") body.temperature = Math.min(1, Math.max(0, req.temperature));
    if (typeof req.top_p === "number") body.top_p = req.top_p;
    if (typeof req.top_k === "number") body.top_k = req.top_k;
  }
  if (thinking) body.thinking = thinking;
  if (req.user) body.metadata = { user_id: req.user };
  if (options.stream) body.stream = true;

  const tools = toolsOf(req);
  if (tools.length > 0) {
    body.tools = tools;
    const choice = toolChoiceOf(req);
    if (choice) body.tool_choice = choice;
  }

  let jsonTool: string | undefined;
  const native = nativeFieldsOf(req);
  // The client's own output format, sent as it was, replaces the one derived from it.
  const sentFormat = (native?.output_config as { format?: unknown } | undefined)?.format ?? native?.output_format;
  const format = sentFormat ? undefined : req.response_format;
  if (format?.type === "json_object") {
    body.system = withInstruction(body.system, JSON_OBJECT_INSTRUCTION);
  } else if (format?.type === "json_schema") {
    const spec = (format.json_schema ?? {}) as { name?: unknown; description?: unknown; schema?: unknown };
    const schema = (typeof spec.schema === "object" && spec.schema !== null ? spec.schema : { type: "object" }) as Record<string, unknown>;
    if (options.structuredOutput === "native") {
      body.output_config = { format: { type: "json_schema", schema } };
    } else if (tools.length === 0 && !thinkingOn) {
      jsonTool = typeof spec.name === "string" && spec.name ? spec.name : DEFAULT_JSON_TOOL;
      const description = typeof spec.description === "string" ? spec.description : "Give the final answer as this tool's input.";
      body.tools = [{ name: jsonTool, description, input_schema: schema }];
      body.tool_choice = { type: "tool", name: jsonTool, disable_parallel_tool_use: true };
    } else {
      body.system = withInstruction(body.system, schemaInstruction(schema));
    }
  }
  if (native) Object.assign(body, native);
  return jsonTool === undefined ? { body } : { body, jsonTool };
}
