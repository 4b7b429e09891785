/**
 * `/api/chat` answer → canonical chat response, plus the pieces the stream
 * and the other endpoints share: usage, finish reason, tool calls, logprobs.
 */
import type { z } from "zod";
import { GatewayError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { ChatResponse, FinishReason, ToolCall, Usage } from "../../core/types.js";
import {
  ollamaChatResponseSchema, type OllamaChatResponse, type OllamaLogprob, type OllamaWireToolCall,
} from "./wire.js";

/** Validates an upstream body against a (partial) wire schema, or fails as the upstream's fault. */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, provider: string, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new GatewayError("upstream_error", `Provider '${provider}' returned ${what} the gateway cannot read${where}: ${issue?.message ?? "unexpected shape"}.`);
}

/**
 * Ollama's counts → canonical usage. Ollama reports neither cached nor
 * reasoning tokens separately (thinking is inside eval_count). A prompt
 * served from Ollama's prompt cache may report only the uncached part in
 * prompt_eval_count, or omit it: absent counts are 0, never an error.
 */
export function usageFrom(counts: { prompt_eval_count?: number | null; eval_count?: number | null }): Usage {
  const prompt = counts.prompt_eval_count ?? 0;
  const completion = counts.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * done_reason → finish_reason. Ollama says "stop" even when it answers with
 * tool calls, so calls decide first; "load"/"unload" (empty calls that only
 * load a model) and anything unknown read as "stop".
 */
export function finishReason(doneReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (doneReason === "length") return "length";
  return hasToolCalls ? "tool_calls" : "stop";
}

/** Unix seconds from Ollama's RFC 3339 `created_at` (nanosecond precision), or now. */
export function createdFrom(createdAt: string | null | undefined): number {
  const ms = createdAt ? Date.parse(createdAt) : Number.NaN;
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

/** Ollama's calls carry no id (newer servers may): the gateway makes one up, OpenAI-style. */
export function toCanonicalToolCall(call: OllamaWireToolCall): ToolCall {
  const args = call.function.arguments;
  return {
    id: call.id || newId("call"),
    type: "function",
    function: { name: call.function.name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
  };
}

/** Ollama's per-token logprobs are OpenAI's `logprobs.content` entries already. */
export function logprobsFrom(logprobs: OllamaLogprob[] | null | undefined): { content: OllamaLogprob[]; refusal: null } | null {
  return logprobs && logprobs.length > 0 ? { content: logprobs, refusal: null } : null;
}

export function parseChatResponse(body: unknown, provider: string): OllamaChatResponse {
  return parseWire(ollamaChatResponseSchema, body, provider, "a chat response");
}

/** A forced tool's JSON answer (sent as `format`, see request.ts forcedTool) as the call the client asked for. */
export function forcedCall(name: string, args: string): ToolCall {
  return { id: newId("call"), type: "function", function: { name, arguments: args.trim() || "{}" } };
}

export function fromOllamaChatResponse(wire: OllamaChatResponse, requestModel: string, forced?: string): ChatResponse {
  const msg = wire.message;
  const toolCalls = (msg?.tool_calls ?? []).map(toCanonicalToolCall);
  let text = msg?.content ?? "";
  if (forced !== undefined && toolCalls.length === 0) {
    toolCalls.push(forcedCall(forced, text));
    text = "";
  }
  const message: ChatResponse["choices"][number]["message"] = {
    role: "assistant",
    // OpenAI sends null content beside tool calls; text, when there is some, is kept.
    content: toolCalls.length > 0 && text === "" ? null : text,
  };
  if (msg?.thinking) message.reasoning_content = msg.thinking;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: newId("chatcmpl-ollama"),
    object: "chat.completion",
    created: createdFrom(wire.created_at),
    model: wire.model || requestModel,
    choices: [{
      index: 0,
      message,
      logprobs: logprobsFrom(wire.logprobs),
      finish_reason: finishReason(wire.done_reason, toolCalls.length > 0),
    }],
    usage: usageFrom(wire),
  };
}
