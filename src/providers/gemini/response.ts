/**
 * GenerateContentResponse → canonical ChatResponse, and the pieces the
 * stream translator shares with it (finish reasons, usage, safety reports).
 *
 * Usage: prompt_tokens = promptTokenCount (which already includes cached
 * tokens) + toolUsePromptTokenCount; completion_tokens = candidatesTokenCount
 * + thoughtsTokenCount (Gemini bills thinking as output, and leaves it out of
 * candidatesTokenCount); total_tokens = their sum, which equals Gemini's
 * totalTokenCount. cachedContentTokenCount → prompt_tokens_details.cached_tokens,
 * thoughtsTokenCount → completion_tokens_details.reasoning_tokens.
 */
import { GatewayError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { ChatChoice, ChatResponse, FinishReason, ToolCall, Usage } from "../../core/types.js";
import { toolCallId } from "./tool-call-ids.js";
import type {
  GeminiCandidate, GeminiLogprobCandidate, GeminiLogprobsResult, GeminiPart, GeminiSafetyRating, GeminiUsageMetadata,
  GenerateContentResponse,
} from "./wire-types.js";

/** Finish reasons that mean "a safety or policy filter stopped this". */
const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]);

/** Candidate.FinishReason → canonical; undefined while the candidate is still going. */
export function finishReasonOf(reason: string | undefined, hasToolCalls: boolean): FinishReason | null {
  if (reason === undefined || reason === "" || reason === "FINISH_REASON_UNSPECIFIED") return null;
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return hasToolCalls ? "tool_calls" : "stop";
}

export function toUsage(meta: GeminiUsageMetadata): Usage {
  const thoughts = meta.thoughtsTokenCount ?? 0;
  const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
  const completion = (meta.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (meta.cachedContentTokenCount !== undefined) usage.prompt_tokens_details = { cached_tokens: meta.cachedContentTokenCount };
  if (meta.thoughtsTokenCount !== undefined) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/**
 * What the client learns when Gemini's safety system stopped an answer: a
 * `content_filter_results` field on the choice, in the spirit of Azure's,
 * carrying Gemini's verdict and ratings unchanged plus a readable message.
 */
export interface ContentFilterReport {
  blocked_by: "prompt" | "response";
  reason: string;
  message: string;
  safety_ratings: GeminiSafetyRating[];
}

export function contentFilterReport(
  blockedBy: "prompt" | "response",
  reason: string,
  ratings: GeminiSafetyRating[] | undefined,
  detail?: string,
): ContentFilterReport {
  const categories = (ratings ?? []).filter((r) => r.blocked).map((r) => r.category).filter(Boolean);
  const why = categories.length > 0 ? ` (${categories.join(", ")})` : "";
  const message = `Gemini blocked the ${blockedBy === "prompt" ? "prompt" : "response"}: ${reason}${why}.${detail ? ` ${detail}` : ""}`;
  return { blocked_by: blockedBy, reason, message, safety_ratings: ratings ?? [] };
}

export function functionCallToToolCall(part: GeminiPart & { functionCall: NonNullable<GeminiPart["functionCall"]> }): ToolCall {
  return {
    id: toolCallId(part.functionCall.id, part.thoughtSignature),
    type: "function",
    function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
  };
}

interface CandidateText { text: string; reasoning: string; toolCalls: ToolCall[] }

function readParts(parts: readonly GeminiPart[]): CandidateText {
  const out: CandidateText = { text: "", reasoning: "", toolCalls: [] };
  for (const part of parts) {
    if (part.functionCall) out.toolCalls.push(functionCallToToolCall({ ...part, functionCall: part.functionCall }));
    else if (typeof part.text === "string") {
      if (part.thought === true) out.reasoning += part.text;
      else out.text += part.text;
    }
  }
  return out;
}

function tokenLogprob(c: GeminiLogprobCandidate): { token: string; logprob: number; bytes: number[] } {
  const token = c.token ?? "";
  return { token, logprob: c.logProbability ?? 0, bytes: [...Buffer.from(token, "utf8")] };
}

/** Candidate.logprobsResult → OpenAI's `logprobs.content`. */
function logprobsOf(result: GeminiLogprobsResult | undefined): ChatChoice["logprobs"] {
  if (result?.chosenCandidates === undefined) return null;
  return {
    content: result.chosenCandidates.map((chosen, i) => ({
      ...tokenLogprob(chosen),
      top_logprobs: (result.topCandidates?.[i]?.candidates ?? []).map(tokenLogprob),
    })),
    refusal: null,
  };
}

function toChoice(candidate: GeminiCandidate, position: number): ChatChoice {
  const { text, reasoning, toolCalls } = readParts(candidate.content?.parts ?? []);
  const finish = finishReasonOf(candidate.finishReason, toolCalls.length > 0) ?? "stop";
  const choice: ChatChoice = {
    index: candidate.index ?? position,
    message: {
      role: "assistant",
      content: text === "" && toolCalls.length > 0 ? null : text,
      ...(reasoning !== "" ? { reasoning_content: reasoning } : {}),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: finish,
    logprobs: logprobsOf(candidate.logprobsResult),
  };
  if (finish === "content_filter") {
    choice.content_filter_results = contentFilterReport("response", candidate.finishReason ?? "SAFETY", candidate.safetyRatings, candidate.finishMessage);
  }
  return choice;
}

/** The choice returned for a prompt Gemini refused to answer at all (promptFeedback.blockReason). */
export function blockedPromptChoice(body: GenerateContentResponse): ChatChoice {
  const feedback = body.promptFeedback ?? {};
  return {
    index: 0,
    message: { role: "assistant", content: "" },
    finish_reason: "content_filter",
    logprobs: null,
    content_filter_results: contentFilterReport("prompt", feedback.blockReason ?? "OTHER", feedback.safetyRatings),
  };
}

export function fromGenerateContentResponse(body: GenerateContentResponse, requestModel: string, provider: string): ChatResponse {
  const candidates = body.candidates ?? [];
  let choices: ChatChoice[];
  if (candidates.length > 0) choices = candidates.map(toChoice).sort((a, b) => a.index - b.index);
  else if (body.promptFeedback?.blockReason) choices = [blockedPromptChoice(body)];
  else throw new GatewayError("upstream_error", `Provider '${provider}' returned no candidates and no reason for it.`);
  return {
    id: body.responseId || newId("chatcmpl"),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.modelVersion || requestModel,
    choices,
    ...(body.usageMetadata ? { usage: toUsage(body.usageMetadata) } : {}),
  };
}
