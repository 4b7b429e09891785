/**
 * A chat completion as OpenAI streams it (CreateChatCompletionStreamResponse):
 *   1. per choice, a first delta with the role (and, for tool calls, the
 *      call's id and name with empty arguments);
 *   2. content pieces, or argument pieces per tool call, interleaved across
 *      choices when n > 1;
 *   3. per choice, an empty delta with finish_reason;
 *   4. with stream_options.include_usage, a chunk with `choices: []` and the
 *      usage (every earlier chunk then carries `"usage": null`);
 *   5. `data: [DONE]`.
 */
import type { ChatAnswer } from "./chat-completions.js";
import { SYSTEM_FINGERPRINT } from "./endpoint-handler.js";
import type { ChatChunk, ChatChunkChoice, ChatDelta, FinishReason, Usage } from "./openai-wire-types.js";
import { streamPieces } from "../_shared/prompt-text.js";
import { sseReply, type SseReply } from "../_shared/reply.js";
import { argumentPieces } from "../_shared/tool-calls.js";
import type { WireAnnotations } from "../_shared/wire-dialect.js";

export interface ChatStreamSpec {
  id: string;
  created: number;
  model: string;
  /** One answer per choice. */
  answers: readonly ChatAnswer[];
  usage: Usage;
  includeUsage: boolean;
  /** Content pieces per text answer (undefined: one per word). */
  pieces: number | undefined;
  request: Record<string, unknown>;
  annotations: WireAnnotations | undefined;
}

/** The deltas of one choice, in order, without its finishing delta. */
function deltasFor(answer: ChatAnswer, pieces: number | undefined): ChatDelta[] {
  if (answer.kind === "text") {
    return [
      { role: "assistant", content: "", refusal: null },
      ...streamPieces(answer.text, pieces).map((content) => ({ content })),
    ];
  }
  const deltas: ChatDelta[] = [];
  answer.calls.forEach((call, index) => {
    const opening = { index, id: call.id, type: "function" as const, function: { name: call.name, arguments: "" } };
    deltas.push(
      index === 0
        ? { role: "assistant", content: null, tool_calls: [opening], refusal: null }
        : { tool_calls: [opening] },
    );
    for (const piece of argumentPieces(call.arguments)) deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  return deltas;
}

function finishReason(answer: ChatAnswer): FinishReason {
  return answer.kind === "text" ? answer.finishReason : "tool_calls";
}

export function chatStreamReply(spec: ChatStreamSpec): SseReply {
  const chunk = (choices: ChatChunkChoice[]): ChatChunk => {
    const out: ChatChunk = {
      id: spec.id,
      object: "chat.completion.chunk",
      created: spec.created,
      model: spec.model,
      service_tier: "default",
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
    };
    if (spec.includeUsage) out.usage = null;
    spec.annotations?.chatChunk?.(out, spec.request);
    return out;
  };
  const choice = (index: number, delta: ChatDelta, finish: FinishReason | null): ChatChunkChoice => ({
    index,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  const events: object[] = [...(spec.annotations?.chatStreamPrelude?.() ?? [])];
  const perChoice = spec.answers.map((answer) => deltasFor(answer, spec.pieces));
  const steps = Math.max(...perChoice.map((deltas) => deltas.length));
  for (let step = 0; step < steps; step++) {
    perChoice.forEach((deltas, index) => {
      const delta = deltas[step];
      if (delta !== undefined) events.push(chunk([choice(index, delta, null)]));
    });
  }
  spec.answers.forEach((answer, index) => events.push(chunk([choice(index, {}, finishReason(answer))])));
  if (spec.includeUsage) {
    const last = chunk([]);
    last.usage = spec.usage;
    events.push(last);
  }
  return sseReply(events);
}
