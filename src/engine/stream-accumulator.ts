/**
 * Rebuilds a complete chat response from stream chunks, for the request log
 * (and, later, the cache). Tool-call argument fragments are joined per index.
 */
import type { ChatChunk, ChatResponse, FinishReason, ToolCall, Usage } from "../core/types.js";
import { LazyChunk } from "../core/lazy-chunk.js";

interface ChoiceState {
  content: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finish: FinishReason | null;
  refusal: string | null;
}

export class StreamAccumulator {
  id = "";
  model = "";
  created = 0;
  usage: Usage | undefined;
  readonly #choices = new Map<number, ChoiceState>();
  readonly #keepText: boolean;

  /** `keepText: false` tracks only usage and finish reasons (cheaper, when bodies are not logged). */
  constructor(keepText: boolean) {
    this.#keepText = keepText;
  }

  add(chunk: ChatChunk): void {
    // An unparsed content chunk has no usage and no finish reason: only the text, which is not kept.
    if (!this.#keepText && chunk instanceof LazyChunk) return;
    if (!this.id) {
      this.id = chunk.id;
      this.model = chunk.model;
      this.created = chunk.created;
    }
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      let s = this.#choices.get(c.index);
      if (!s) {
        s = { content: "", reasoning: "", toolCalls: [], finish: null, refusal: null };
        this.#choices.set(c.index, s);
      }
      if (c.finish_reason) s.finish = c.finish_reason;
      if (!this.#keepText) continue;
      const d = c.delta ?? {};
      if (typeof d.content === "string") s.content += d.content;
      if (typeof d.reasoning_content === "string") s.reasoning += d.reasoning_content;
      if (typeof d.refusal === "string") s.refusal = (s.refusal ?? "") + d.refusal;
      for (const tc of d.tool_calls ?? []) {
        let call = s.toolCalls[tc.index];
        if (!call) {
          call = { id: tc.id ?? "", type: "function", function: { name: "", arguments: "" } };
          s.toolCalls[tc.index] = call;
        }
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.function.name += tc.function.name;
        if (tc.function?.arguments) call.function.arguments += tc.function.arguments;
      }
    }
  }

  get finishReason(): FinishReason | null {
    for (const s of this.#choices.values()) if (s.finish) return s.finish;
    return null;
  }

  toResponse(): ChatResponse {
    const choices = [...this.#choices.entries()].sort((a, b) => a[0] - b[0]).map(([index, s]) => ({
      index,
      message: {
        role: "assistant" as const,
        content: s.content || (s.toolCalls.length ? null : ""),
        ...(s.toolCalls.length ? { tool_calls: s.toolCalls.filter(Boolean) } : {}),
        ...(s.refusal ? { refusal: s.refusal } : {}),
        ...(s.reasoning ? { reasoning_content: s.reasoning } : {}),
      },
      finish_reason: s.finish,
    }));
    return {
      id: this.id, object: "chat.completion", created: this.created, model: this.model, choices,
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }
}
