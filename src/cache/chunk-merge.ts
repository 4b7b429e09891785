/**
 * A stream's chunks folded into the non-stream response they stand for, so
 * a non-stream request can be answered from a cached stream. Unlike the
 * engine's log accumulator this keeps everything a client could read:
 * logprobs, system_fingerprint, every choice of n > 1, and each message field
 * in OpenAI's non-stream shape (`content: null` beside tool calls, `refusal`).
 */
import type { ChatChoice, ChatChunk, ChatResponse, FinishReason, ToolCall, Usage } from "../core/types.js";

interface ChoiceState {
  content: string | null;
  refusal: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
  finish: FinishReason | null;
  logprobs: { content: unknown[] | null; refusal: unknown[] | null } | null;
}

const append = (a: string | null, b: unknown): string | null => (typeof b === "string" ? (a ?? "") + b : a);

function mergeLogprobs(state: ChoiceState, lp: unknown): void {
  if (typeof lp !== "object" || lp === null) return;
  const { content, refusal } = lp as { content?: unknown; refusal?: unknown };
  state.logprobs ??= { content: null, refusal: null };
  if (Array.isArray(content)) state.logprobs.content = [...(state.logprobs.content ?? []), ...content];
  if (Array.isArray(refusal)) state.logprobs.refusal = [...(state.logprobs.refusal ?? []), ...refusal];
}

export function mergeChunks(chunks: readonly ChatChunk[]): ChatResponse {
  const first = chunks[0];
  let usage: Usage | undefined;
  let fingerprint: string | null | undefined;
  const states = new Map<number, ChoiceState>();
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    if (typeof chunk.system_fingerprint === "string") fingerprint = chunk.system_fingerprint;
    for (const c of chunk.choices ?? []) {
      let s = states.get(c.index);
      if (!s) {
        s = { content: null, refusal: null, reasoning: null, toolCalls: [], finish: null, logprobs: null };
        states.set(c.index, s);
      }
      const d = c.delta ?? {};
      s.content = append(s.content, d.content);
      s.refusal = append(s.refusal, d.refusal);
      s.reasoning = append(s.reasoning, d.reasoning_content);
      for (const tc of d.tool_calls ?? []) {
        const call = (s.toolCalls[tc.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.function.name += tc.function.name;
        if (tc.function?.arguments) call.function.arguments += tc.function.arguments;
      }
      if (c.finish_reason) s.finish = c.finish_reason;
      mergeLogprobs(s, c.logprobs);
    }
  }
  const choices: ChatChoice[] = [...states.entries()].sort((a, b) => a[0] - b[0]).map(([index, s]) => {
    const toolCalls = s.toolCalls.filter(Boolean);
    return {
      index,
      message: {
        role: "assistant",
        // OpenAI's non-stream form: null beside tool calls, "" for an empty answer.
        content: s.content ?? (toolCalls.length ? null : ""),
        refusal: s.refusal,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        ...(s.reasoning !== null ? { reasoning_content: s.reasoning } : {}),
      },
      finish_reason: s.finish,
      logprobs: s.logprobs,
    };
  });
  return {
    id: first?.id ?? "",
    object: "chat.completion",
    created: first?.created ?? 0,
    model: first?.model ?? "",
    choices,
    ...(usage ? { usage } : {}),
    ...(fingerprint !== undefined ? { system_fingerprint: fingerprint } : {}),
  };
}
