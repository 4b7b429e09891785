/**
 * Converse response → canonical chat response. Bedrock sends no response id
 * or timestamp; the id is built from the upstream request id
 * (x-amzn-requestid) so a log line can be matched with AWS's.
 */
import { GatewayError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { ChatResponse, FinishReason, ToolCall, Usage } from "../../core/types.js";
import { converseResponseSchema, type TokenUsage } from "./wire-types.js";

/** Bedrock's stopReason → OpenAI's finish_reason. */
export function finishReasonOf(stopReason: string, hasToolCalls: boolean): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    // end_turn, stop_sequence, malformed_* and reasons added later. A turn that
    // produced tool calls is reported as such, or OpenAI clients would not run them.
    default:
      return hasToolCalls ? "tool_calls" : "stop";
  }
}

/**
 * Converse reports cache reads and writes beside inputTokens (AWS's examples:
 * totalTokens = input + output + cacheRead + cacheWrite), though some
 * responses count them inside it (totalTokens = input + output); totalTokens
 * tells which. prompt_tokens is the whole prompt, OpenAI's way, and the raw
 * counters stay on the usage so cost bills cache writes at their own price
 * and reads at theirs.
 */
export function usageOf(usage: TokenUsage): Usage {
  const input = usage.inputTokens ?? 0;
  const completion = usage.outputTokens ?? 0;
  const read = usage.cacheReadInputTokens ?? 0;
  const write = usage.cacheWriteInputTokens ?? 0;
  if (usage.cacheReadInputTokens === undefined && usage.cacheWriteInputTokens === undefined) {
    return { prompt_tokens: input, completion_tokens: completion, total_tokens: usage.totalTokens ?? input + completion };
  }
  const inside = usage.totalTokens !== undefined && read + write > 0 && usage.totalTokens === input + completion && input >= read + write;
  const fresh = inside ? input - read - write : input;
  const prompt = fresh + read + write;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read },
    input_tokens: fresh,
    cache_read_input_tokens: read,
    cache_creation_input_tokens: write,
  };
}

export function responseIdOf(requestId: string | undefined): string {
  return requestId ? `chatcmpl-${requestId}` : newId("chatcmpl-bedrock");
}

export function fromConverseResponse(body: unknown, model: string, requestId: string | undefined, provider: string): ChatResponse {
  const parsed = converseResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError("upstream_error", `Provider '${provider}' returned a Converse response without output.message or stopReason.`);
  }
  const wire = parsed.data;
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  for (const block of wire.output.message.content) {
    if (block.text !== undefined) text += block.text;
    else if (block.toolUse !== undefined) {
      const { toolUseId, name, input } = block.toolUse;
      toolCalls.push({ id: toolUseId, type: "function", function: { name, arguments: JSON.stringify(input ?? {}) } });
    } else if (block.reasoningContent?.reasoningText?.text !== undefined) reasoning += block.reasoningContent.reasoningText.text;
  }
  return {
    id: responseIdOf(requestId),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && toolCalls.length > 0 ? null : text,
          ...(reasoning !== "" ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(wire.stopReason, toolCalls.length > 0),
        logprobs: null,
      },
    ],
    ...(wire.usage ? { usage: usageOf(wire.usage) } : {}),
  };
}
