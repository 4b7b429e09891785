/**
 * Anthropic Message → canonical chat completion.
 *
 *  - text blocks are concatenated into `content`; tool_use blocks become
 *    `tool_calls` (arguments = JSON.stringify(input)).
 *  - thinking blocks become `reasoning_content` (their text, concatenated) and
 *    are also kept whole, signatures included, in `thinking_blocks`, which the
 *    request mapper passes back on the next turn (Anthropic requires that when
 *    thinking is combined with tools).
 *  - usage: prompt_tokens = input_tokens + cache_read_input_tokens +
 *    cache_creation_input_tokens (Anthropic's input_tokens counts only the
 *    uncached part); cached_tokens = cache_read_input_tokens; the raw
 *    Anthropic counters stay on `usage` as extra keys for cost code.
 */
import { z } from "zod";
import { GatewayError } from "../../core/errors.js";
import type { ChatResponse, FinishReason, ToolCall, Usage } from "../../core/types.js";
import type { ContentBlock } from "./wire-types.js";

const usageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation: z.looseObject({}).nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().optional() }).nullish(),
});
export type UsageFields = z.infer<typeof usageSchema>;

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
const toolUseBlock = z.looseObject({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });
const thinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().default("") });
const redactedBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });
const KNOWN_BLOCKS = new Set(["text", "tool_use", "thinking", "redacted_thinking"]);
/** Known blocks are checked; any other block type (server tools and their results, …) is skipped. */
const otherBlock = z.looseObject({ type: z.string().refine((t) => !KNOWN_BLOCKS.has(t), { error: "malformed content block" }) });
const block = z.union([textBlock, toolUseBlock, thinkingBlock, redactedBlock, otherBlock]);

const messageSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  content: z.array(block),
  stop_reason: z.string().nullish(),
  usage: usageSchema.optional(),
});

export function finishReasonOf(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use": return "tool_calls";
    case "refusal": return "content_filter";
    default: return "stop"; // end_turn, stop_sequence, pause_turn
  }
}

const count = (n: number | null | undefined): number => (typeof n === "number" && Number.isFinite(n) ? n : 0);

export function canonicalUsage(u: UsageFields): Usage {
  const input = count(u.input_tokens);
  const read = count(u.cache_read_input_tokens);
  const creation = count(u.cache_creation_input_tokens);
  const prompt = input + read + creation;
  const completion = count(u.output_tokens);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read },
    input_tokens: input,
    output_tokens: completion,
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: read,
  };
  const thinking = u.output_tokens_details?.thinking_tokens;
  if (typeof thinking === "number") usage.completion_tokens_details = { reasoning_tokens: thinking };
  if (u.cache_creation) usage.cache_creation = u.cache_creation;
  return usage;
}

export interface ResponseOptions {
  /** The tool forced to carry a json_schema answer (see request.ts). */
  jsonTool?: string;
}

export function fromAnthropicMessage(body: unknown, provider: string, options: ResponseOptions = {}): ChatResponse {
  const parsed = messageSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError("upstream_error", `Provider '${provider}' returned a message the gateway cannot read: ${parsed.error.issues[0]?.message ?? "bad shape"}.`);
  }
  const msg = parsed.data;
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ContentBlock[] = [];
  let jsonAnswered = false;
  for (const b of msg.content as ContentBlock[]) {
    if (b.type === "text") text += b.text;
    else if (b.type === "tool_use" && b.name === options.jsonTool) {
      text += JSON.stringify(b.input);
      jsonAnswered = true;
    } else if (b.type === "tool_use") {
      toolCalls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type === "thinking") {
      reasoning += b.thinking;
      thinkingBlocks.push({ type: "thinking", thinking: b.thinking, signature: b.signature });
    } else if (b.type === "redacted_thinking") {
      thinkingBlocks.push({ type: "redacted_thinking", data: b.data });
    }
  }
  let finish = finishReasonOf(msg.stop_reason);
  if (jsonAnswered && finish === "tool_calls" && toolCalls.length === 0) finish = "stop";

  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinkingBlocks.length > 0) {
    message.reasoning_content = reasoning;
    message.thinking_blocks = thinkingBlocks;
  }
  return {
    id: msg.id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: msg.model,
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage: canonicalUsage(msg.usage ?? {}),
  };
}
