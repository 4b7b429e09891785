/**
 * A canonical chat completion → a Responses API Response object. The
 * answer's text (or refusal) becomes one `message` output item, each tool
 * call a `function_call` item after it, as OpenAI orders them. A finish by
 * length or content filter makes the response `incomplete`, with the reason.
 * The request's settings are echoed back with OpenAI's defaults (temperature
 * and top_p 1, parallel_tool_calls true, text format "text").
 */
import { newId } from "../../../core/ids.js";
import type { ChatMessage, ChatResponse, FinishReason, Usage } from "../../../core/types.js";
import type { ResponsesRequest } from "./request.js";
import type { OutputContent, OutputItem, ResponseObject, ResponseUsage } from "./wire-types.js";

export interface ResponseIdentity {
  /** `resp_…` */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** Whether the response is (to be) stored: the Response object's `store`. */
  store: boolean;
}

/** A new response id, in OpenAI's `resp_` form. */
export function newResponseId(): string {
  return newId("resp");
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** Canonical usage → the Responses usage object; cache writes are Anthropic's counter when an Anthropic upstream left it. */
export function responseUsageOf(usage: Usage | null | undefined): ResponseUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: num(usage?.prompt_tokens_details?.cached_tokens) ?? 0,
      cache_write_tokens: num(usage?.cache_creation_input_tokens) ?? 0,
    },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num(usage?.completion_tokens_details?.reasoning_tokens) ?? 0 },
    total_tokens: num(usage?.total_tokens) ?? input + output,
  };
}

/** The Response object before any output: status in_progress, the request's settings echoed. */
export function responseShell(req: ResponsesRequest, who: ResponseIdentity): ResponseObject {
  return {
    id: who.id,
    object: "response",
    created_at: who.createdAt,
    status: "in_progress",
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: req.instructions,
    max_output_tokens: req.maxOutputTokens,
    model: req.model,
    output: [],
    parallel_tool_calls: req.parallelToolCalls,
    previous_response_id: req.previousResponseId,
    reasoning: { effort: req.reasoningEffort, summary: null },
    store: who.store,
    temperature: req.temperature ?? 1,
    text: { format: req.format },
    tool_choice: req.toolChoice,
    tools: req.tools,
    top_p: req.topP ?? 1,
    truncation: "disabled",
    usage: null,
    user: req.user,
    metadata: req.metadata,
  };
}

/** The response settled: completed, or incomplete with the reason the finish gives. */
export function settle(res: ResponseObject, finish: FinishReason | null | undefined, usage: Usage | null | undefined, now = Date.now()): ResponseObject {
  const reason = finish === "length" ? "max_output_tokens" : finish === "content_filter" ? "content_filter" : null;
  return {
    ...res,
    status: reason ? "incomplete" : "completed",
    completed_at: Math.floor(now / 1000),
    incomplete_details: reason ? { reason } : null,
    usage: responseUsageOf(usage),
  };
}

function contentOf(message: ChatMessage): OutputContent[] {
  const content = message.content;
  let text = typeof content === "string" ? content : "";
  let refused = typeof message.refusal === "string" ? message.refusal : "";
  if (Array.isArray(content)) {
    for (const p of content) {
      if (p.type === "text") text += p.text;
      else if (p.type === "refusal") refused += p.refusal;
    }
  }
  const out: OutputContent[] = [];
  if (text !== "") out.push({ type: "output_text", text, annotations: [], logprobs: [] });
  if (refused !== "") out.push({ type: "refusal", refusal: refused });
  return out;
}

export function outputItemsOf(message: ChatMessage | undefined, status: "completed" | "incomplete" = "completed"): OutputItem[] {
  if (!message) return [];
  const items: OutputItem[] = [];
  const content = contentOf(message);
  if (content.length > 0) items.push({ id: newId("msg"), type: "message", status, role: "assistant", content });
  for (const call of message.tool_calls ?? []) {
    items.push({ id: newId("fc"), type: "function_call", status: "completed", call_id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return items;
}

export function canonicalToResponse(res: ChatResponse, req: ResponsesRequest, who: ResponseIdentity, now = Date.now()): ResponseObject {
  const choice = res.choices[0];
  const settled = settle(responseShell(req, who), choice?.finish_reason, res.usage, now);
  return { ...settled, output: outputItemsOf(choice?.message, settled.status === "incomplete" ? "incomplete" : "completed") };
}
