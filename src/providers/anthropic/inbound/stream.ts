/**
 * Canonical chat chunks → Anthropic stream events, for the gateway's
 * streaming `POST /v1/messages`. Anthropic clients rebuild the message from
 * numbered content blocks, so each run of text, each thinking run and each
 * tool call becomes its own block: content_block_start, deltas,
 * content_block_stop, with indices 0, 1, 2… in order. message_start goes out
 * with the first chunk; message_delta (stop_reason, usage) and message_stop
 * are held until end(), because canonical streams send usage after the
 * finish chunk. message_start's input tokens are the upstream's own when an
 * Anthropic upstream gave them in its message_start (../stream.ts), else the
 * count given in the options (the gateway's tokenizer, asked only then).
 */
import { newId } from "../../../core/ids.js";
import type { ChatChunk, ToolCallDelta, Usage } from "../../../core/types.js";
import { messageStartUsage } from "../stream.js";
import type { AnthropicStreamEvent, ContentBlock, StopReason } from "../wire-types.js";
import { anthropicUsageOf, stopReasonOf } from "./response.js";

type OpenBlock = { kind: "text" | "thinking" | "tool"; index: number };

export interface CanonicalToAnthropicOptions {
  /** The message id; a fresh `msg_…` by default. */
  id?: string;
  /**
   * Input tokens for message_start when the upstream's are not on the first
   * chunk: a number, or a function asked only then (counting costs).
   */
  inputTokens?: number | (() => number);
}

export class CanonicalToAnthropicStream {
  readonly #model: string;
  readonly #id: string;
  readonly #inputTokens: number | (() => number);
  /** Anthropic block index per canonical tool_calls index. */
  readonly #toolBlocks = new Map<number, number>();
  #started = false;
  #ended = false;
  #nextIndex = 0;
  #open: OpenBlock | null = null;
  #stopReason: StopReason | null = null;
  #usage: Usage | null = null;

  constructor(requestedModel: string, options: CanonicalToAnthropicOptions = {}) {
    this.#model = requestedModel;
    this.#id = options.id ?? newId("msg");
    this.#inputTokens = options.inputTokens ?? 0;
  }

  push(chunk: ChatChunk): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    this.#start(out, chunk);
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue; // Anthropic messages have one answer; n > 1 is not offered on this endpoint
      const d = choice.delta ?? {};
      if (typeof d.reasoning_content === "string" && d.reasoning_content !== "") {
        this.#ensure("thinking", out, { type: "thinking", thinking: "", signature: "" });
        out.push({ type: "content_block_delta", index: this.#open!.index, delta: { type: "thinking_delta", thinking: d.reasoning_content } });
      }
      if (Array.isArray(d.thinking_blocks)) this.#thinkingBlocks(d.thinking_blocks, out);
      const text = (typeof d.content === "string" ? d.content : "") + (typeof d.refusal === "string" ? d.refusal : "");
      if (text !== "") {
        this.#ensure("text", out, { type: "text", text: "" });
        out.push({ type: "content_block_delta", index: this.#open!.index, delta: { type: "text_delta", text } });
      }
      for (const call of d.tool_calls ?? []) this.#toolCall(call, out);
      if (choice.finish_reason) {
        this.#stopReason = stopReasonOf(choice.finish_reason);
        this.#close(out);
      }
    }
    return out;
  }

  end(): AnthropicStreamEvent[] {
    if (this.#ended) return [];
    this.#ended = true;
    const out: AnthropicStreamEvent[] = [];
    this.#start(out);
    this.#close(out);
    const usage = anthropicUsageOf(this.#usage);
    out.push({
      type: "message_delta",
      delta: { stop_reason: this.#stopReason ?? "end_turn", stop_sequence: null },
      // Cumulative totals: Anthropic clients overwrite message_start's counts with them.
      usage: this.#usage ? usage : { output_tokens: 0 },
    });
    out.push({ type: "message_stop" });
    return out;
  }

  #start(out: AnthropicStreamEvent[], first?: ChatChunk): void {
    if (this.#started) return;
    this.#started = true;
    const upstream = first && messageStartUsage(first);
    const counted = () => (typeof this.#inputTokens === "function" ? this.#inputTokens() : this.#inputTokens);
    out.push({
      type: "message_start",
      message: {
        id: this.#id, type: "message", role: "assistant", model: this.#model, content: [],
        stop_reason: null, stop_sequence: null,
        usage: upstream
          ? { ...upstream, output_tokens: 0 }
          : { input_tokens: counted(), output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
  }

  #ensure(kind: "text" | "thinking", out: AnthropicStreamEvent[], block: ContentBlock): void {
    if (this.#open?.kind === kind) return;
    this.#openBlock(kind, block, out);
  }

  #openBlock(kind: OpenBlock["kind"], block: ContentBlock, out: AnthropicStreamEvent[]): number {
    this.#close(out);
    const index = this.#nextIndex++;
    this.#open = { kind, index };
    out.push({ type: "content_block_start", index, content_block: block });
    return index;
  }

  #close(out: AnthropicStreamEvent[]): void {
    if (!this.#open) return;
    out.push({ type: "content_block_stop", index: this.#open.index });
    this.#open = null;
  }

  #thinkingBlocks(blocks: unknown[], out: AnthropicStreamEvent[]): void {
    for (const raw of blocks) {
      const b = raw as { type?: unknown; thinking?: unknown; signature?: unknown; data?: unknown } | null;
      if (b?.type === "thinking") {
        // A finished block: its text already streamed as reasoning_content, so only the signature is new.
        if (this.#open?.kind !== "thinking") {
          this.#openBlock("thinking", { type: "thinking", thinking: "", signature: "" }, out);
          if (typeof b.thinking === "string" && b.thinking !== "") {
            out.push({ type: "content_block_delta", index: this.#open!.index, delta: { type: "thinking_delta", thinking: b.thinking } });
          }
        }
        if (typeof b.signature === "string" && b.signature !== "") {
          out.push({ type: "content_block_delta", index: this.#open!.index, delta: { type: "signature_delta", signature: b.signature } });
        }
        this.#close(out);
      } else if (b?.type === "redacted_thinking" && typeof b.data === "string") {
        this.#openBlock("thinking", { type: "redacted_thinking", data: b.data }, out);
        this.#close(out);
      }
    }
  }

  #toolCall(call: ToolCallDelta, out: AnthropicStreamEvent[]): void {
    let index = this.#toolBlocks.get(call.index);
    if (index === undefined) {
      const block: ContentBlock = { type: "tool_use", id: call.id ?? newId("toolu"), name: call.function?.name ?? "", input: {} };
      index = this.#openBlock("tool", block, out);
      this.#toolBlocks.set(call.index, index);
    }
    const args = call.function?.arguments;
    if (args) out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: args } });
  }
}

/** One event as SSE bytes: `event: <type>` and `data: <json>`, as Anthropic frames them. */
export function anthropicSSE(event: AnthropicStreamEvent | object): string {
  const type = (event as { type?: unknown }).type;
  return `event: ${typeof type === "string" ? type : "message"}\ndata: ${JSON.stringify(event)}\n\n`;
}
