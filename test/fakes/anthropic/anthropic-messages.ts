/**
 * What the Anthropic fake answers to a Messages request, as content blocks:
 * an optional thinking block (when `thinking` is on), text ("echo: " + the
 * last user text, or the fixed reply), and tool_use blocks when the request
 * has tools and the last user text mentions "weather" (or tool_choice forces
 * a tool) — the same rule as the OpenAI fake, shared through tool-calls.ts.
 * With `output_config.format` (structured output) the text is JSON that fits
 * the format's schema (schema-value.ts). Token counts are
 * whitespace-separated words, as in every fake.
 */
import type { IdSource } from "../_shared/fake-ids.js";
import { countWords, limitWords, type ChatMessageView } from "../_shared/prompt-text.js";
import { structuredText } from "../_shared/schema-value.js";
import { planToolCalls, toolCallTokens } from "../_shared/tool-calls.js";

export type PlannedBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface PlannedMessage {
  id: string;
  model: string;
  blocks: PlannedBlock[];
  stopReason: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

export interface CacheTokens {
  read?: number;
  creation?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Text of a content value: a string, text blocks, and the content of tool_result blocks. */
export function blocksText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (typeof block.text === "string") texts.push(block.text);
    else if (block.type === "tool_result") texts.push(blocksText(block.content));
  }
  return texts.join(" ");
}

/** The last message's role and its own text (text blocks only: a tool_result turn asks for no new tool call). */
function views(messages: unknown[]): ChatMessageView[] {
  return messages.map((m) => {
    const record = isRecord(m) ? m : {};
    const content = record.content;
    const ownText = typeof content === "string" ? content
      : Array.isArray(content) ? content.filter((b) => isRecord(b) && b.type === "text").map((b) => String((b as { text: unknown }).text)).join(" ")
      : "";
    return { role: typeof record.role === "string" ? record.role : "", text: ownText };
  });
}

function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isRecord(m) && m.role === "user") return blocksText(m.content);
  }
  return "";
}

/** Anthropic's tools and tool_choice, seen as the OpenAI shapes the shared tool planner reads. */
function openAIToolView(body: Record<string, unknown>): Record<string, unknown> {
  const tools = Array.isArray(body.tools)
    ? body.tools.filter(isRecord).map((t) => ({ type: "function", function: { name: t.name, parameters: t.input_schema } }))
    : [];
  const choice = isRecord(body.tool_choice) ? body.tool_choice : undefined;
  const toolChoice = choice?.type === "none" ? "none"
    : choice?.type === "any" ? "required"
    : choice?.type === "tool" ? { type: "function", function: { name: choice.name } }
    : "auto";
  return { tools, tool_choice: toolChoice, parallel_tool_calls: choice?.disable_parallel_tool_use === true ? false : undefined };
}

/** The schema of `output_config.format` (or the beta's `output_format`), when the request asks for structured output. */
function outputSchema(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const format = (isRecord(body.output_config) ? body.output_config.format : undefined) ?? body.output_format;
  return isRecord(format) && format.type === "json_schema" && isRecord(format.schema) ? format.schema : undefined;
}

const OUTPUT_CONFIG_FIELDS = new Set(["effort", "format", "task_budget"]);
const EFFORTS = new Set(["low", "medium", "high", "xhigh", "max"]);

/** What the API says about a malformed `output_config`, or undefined when it is fine (or absent). */
export function outputConfigError(body: Record<string, unknown>): string | undefined {
  const config = body.output_config;
  if (config === undefined || config === null) return undefined;
  if (!isRecord(config)) return "output_config: Input should be a valid dictionary";
  const extra = Object.keys(config).find((k) => !OUTPUT_CONFIG_FIELDS.has(k));
  if (extra !== undefined) return `output_config.${extra}: Extra inputs are not permitted`;
  if (config.effort != null && !EFFORTS.has(config.effort as string)) return "output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'";
  const format = config.format;
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format) || format.type !== "json_schema") return "output_config.format.type: Input should be 'json_schema'";
  return isRecord(format.schema) ? undefined : "output_config.format.schema: Field required";
}

/** Input tokens of a request (system and message text, in words): what usage and count_tokens report. */
export function inputTokensOf(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return countWords(blocksText(body.system)) + messages.reduce<number>((sum, m) => sum + countWords(blocksText(isRecord(m) ? m.content : "")), 0);
}

function fakeSignature(text: string): string {
  return Buffer.from(`fake-signature:${text.slice(0, 48)}`).toString("base64");
}

export function planMessage(
  body: Record<string, unknown>,
  model: string,
  ids: IdSource & { message(): string },
  reply: string | undefined,
  cache: CacheTokens,
): PlannedMessage {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const blocks: PlannedBlock[] = [];
  const userText = lastUserText(messages);
  const thinking = isRecord(body.thinking) && (body.thinking.type === "enabled" || body.thinking.type === "adaptive");
  if (thinking) {
    const thought = `The user wrote: ${userText}. I should answer briefly.`;
    blocks.push({ type: "thinking", thinking: thought, signature: fakeSignature(thought) });
  }

  const calls = planToolCalls(openAIToolView(body), views(messages), ids);
  const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : undefined;
  let stopReason: PlannedMessage["stopReason"] = "end_turn";
  let stopSequence: string | null = null;
  if (calls.length > 0) {
    const forced = isRecord(body.tool_choice) && (body.tool_choice.type === "any" || body.tool_choice.type === "tool");
    if (!forced) blocks.push({ type: "text", text: "Let me check the weather for you." });
    for (const call of calls) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: JSON.parse(call.arguments) as Record<string, unknown> });
    stopReason = "tool_use";
  } else {
    const schema = outputSchema(body);
    let text = schema ? structuredText(schema, userText) : reply ?? `echo: ${userText}`;
    for (const seq of Array.isArray(body.stop_sequences) ? body.stop_sequences : []) {
      const at = typeof seq === "string" && seq !== "" ? text.indexOf(seq) : -1;
      if (at !== -1) {
        text = text.slice(0, at);
        stopReason = "stop_sequence";
        stopSequence = seq as string;
      }
    }
    const limited = limitWords(text, maxTokens);
    if (limited.truncated) stopReason = "max_tokens";
    blocks.push({ type: "text", text: limited.text });
  }

  const inputTokens = inputTokensOf(body);
  const outputTokens = blocks.reduce((sum, b) => sum + (b.type === "text" ? countWords(b.text) : b.type === "thinking" ? countWords(b.thinking) : 0), 0)
    + toolCallTokens(calls);
  return {
    id: ids.message(),
    model,
    blocks,
    stopReason,
    stopSequence,
    inputTokens,
    outputTokens,
    cacheReadTokens: cache.read ?? 0,
    cacheCreationTokens: cache.creation ?? 0,
  };
}
