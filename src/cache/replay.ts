/**
 * A cached answer as a stream: the stored chunks when it came from one, or
 * chunks synthesized from a non-stream response in the order OpenAI sends
 * them (role, text, tool calls, finish, then usage).
 */
import type { ChatChoice, ChatChunk, ChunkChoice } from "../core/types.js";
import { freshIdentity, type CachedAnswer, type Identity } from "./answer.js";

export interface ReplayOptions extends Identity {
  /**
   * Send usage (the `choices: []` chunk at the end). Default true; pass the
   * client's `stream_options.include_usage` so a client that did not ask gets
   * exactly the chunks a live stream would have sent it.
   */
  includeUsage?: boolean;
  /** Code points per synthesized content chunk; default 64. */
  pieceLength?: number;
}

function pieces(text: string, size: number): string[] {
  // Code points, not UTF-16 units: no chunk may carry half of a surrogate pair.
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

function choiceDeltas(choice: ChatChoice, size: number): ChunkChoice[] {
  const m = choice.message;
  const index = choice.index;
  const out: ChunkChoice[] = [];
  const delta = (d: ChunkChoice["delta"], extra: Partial<ChunkChoice> = {}) => out.push({ index, delta: d, finish_reason: null, ...extra });
  delta({ role: "assistant", content: typeof m.content === "string" ? "" : null });
  if (typeof m.reasoning_content === "string") for (const p of pieces(m.reasoning_content, size)) delta({ reasoning_content: p });
  const text = typeof m.content === "string" ? m.content : "";
  const logprobs = choice.logprobs;
  // Logprobs belong to the tokens of the text; one chunk carries both so they stay together.
  if (logprobs !== null && logprobs !== undefined) {
    if (text || typeof m.refusal === "string") delta({ content: text || null, ...(typeof m.refusal === "string" ? { refusal: m.refusal } : {}) }, { logprobs });
  } else {
    for (const p of pieces(text, size)) delta({ content: p });
    if (typeof m.refusal === "string" && m.refusal) delta({ refusal: m.refusal });
  }
  (m.tool_calls ?? []).forEach((call, i) => {
    delta({ tool_calls: [{ index: i, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] });
    for (const p of pieces(call.function.arguments, size)) delta({ tool_calls: [{ index: i, function: { arguments: p } }] });
  });
  out.push({ index, delta: {}, finish_reason: choice.finish_reason ?? "stop" });
  return out;
}

const isUsageOnly = (c: ChatChunk) => (c.choices?.length ?? 0) === 0 && c.usage !== undefined && c.usage !== null;

export function replayChunks(answer: CachedAnswer, options: ReplayOptions = {}): ChatChunk[] {
  const { id, created } = freshIdentity(options);
  const includeUsage = options.includeUsage ?? true;
  if (answer.chunks) {
    const out: ChatChunk[] = [];
    for (const chunk of answer.chunks) {
      if (!includeUsage && isUsageOnly(chunk)) continue;
      const copy: ChatChunk = { ...chunk, id, created };
      if (!includeUsage) delete copy.usage;
      out.push(copy);
    }
    return out;
  }
  const r = answer.response;
  const base = {
    id, object: "chat.completion.chunk" as const, created, model: r.model,
    ...(r.system_fingerprint !== undefined ? { system_fingerprint: r.system_fingerprint } : {}),
  };
  const size = Math.max(1, options.pieceLength ?? 64);
  const out: ChatChunk[] = [];
  for (const choice of [...r.choices].sort((a, b) => a.index - b.index)) {
    for (const c of choiceDeltas(choice, size)) out.push({ ...base, choices: [c] });
  }
  if (includeUsage && r.usage) out.push({ ...base, choices: [], usage: r.usage });
  return out;
}
