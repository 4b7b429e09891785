/**
 * A canonical chat completion → an Anthropic Message, for the gateway's
 * `POST /v1/messages`. Content blocks come in Anthropic's order: thinking,
 * text, tool_use. The finish reason maps back (stop → end_turn, length →
 * max_tokens, tool_calls → tool_use, content_filter → refusal).
 */
import { newId } from "../../../core/ids.js";
import type { ChatMessage, ChatResponse, FinishReason, Usage } from "../../../core/types.js";
import type { AnthropicMessage, AnthropicUsage, ContentBlock, StopReason } from "../wire-types.js";

export function stopReasonOf(finish: FinishReason | null | undefined): StopReason {
  switch (finish) {
    case "length": return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter": return "refusal";
    default: return "end_turn";
  }
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/**
 * Canonical usage → Anthropic usage. The raw Anthropic counters are used when
 * an Anthropic upstream left them on the usage; otherwise input_tokens is the
 * uncached part of prompt_tokens, as Anthropic counts it.
 */
export function anthropicUsageOf(usage: Usage | null | undefined): AnthropicUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const read = num(usage.cache_read_input_tokens) ?? num(usage.prompt_tokens_details?.cached_tokens) ?? 0;
  const creation = num(usage.cache_creation_input_tokens) ?? 0;
  const input = num(usage.input_tokens) ?? Math.max(0, (usage.prompt_tokens ?? 0) - read - creation);
  return {
    input_tokens: input,
    output_tokens: usage.completion_tokens ?? 0,
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: read,
  };
}

/** Tool arguments are JSON text in canonical form and an object in Anthropic's; unparseable text is kept under `_raw`. */
export function toolInputOf(args: string): unknown {
  if (args.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : { _raw: args };
  } catch {
    return { _raw: args };
  }
}

function thinkingBlocksOf(message: ChatMessage): ContentBlock[] {
  const blocks = message.thinking_blocks;
  if (Array.isArray(blocks) && blocks.length > 0) {
    return blocks.filter((b): b is ContentBlock => {
      const t = (b as { type?: unknown } | null)?.type;
      return t === "thinking" || t === "redacted_thinking";
    });
  }
  const reasoning = message.reasoning_content;
  // Reasoning from a non-Anthropic upstream has no signature; it is shown, but cannot be sent back to Anthropic.
  return typeof reasoning === "string" && reasoning !== "" ? [{ type: "thinking", thinking: reasoning, signature: "" }] : [];
}

function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (p.type === "text" ? p.text : p.type === "refusal" ? p.refusal : "")).join("");
}

export function canonicalResponseToAnthropic(res: ChatResponse, requestedModel: string): AnthropicMessage {
  const choice = res.choices[0];
  const message = choice?.message;
  const content: ContentBlock[] = [];
  if (message) {
    content.push(...thinkingBlocksOf(message));
    const text = textOf(message.content) || (typeof message.refusal === "string" ? message.refusal : "");
    if (text !== "") content.push({ type: "text", text });
    for (const call of message.tool_calls ?? []) {
      content.push({ type: "tool_use", id: call.id, name: call.function.name, input: toolInputOf(call.function.arguments) });
    }
  }
  return {
    id: res.id.startsWith("msg_") ? res.id : newId("msg"),
    type: "message",
    role: "assistant",
    model: requestedModel,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsageOf(res.usage),
  };
}
