/**
 * Anthropic SSE → canonical chat chunks.
 *
 * Anthropic streams content blocks (`content_block_start/delta/stop`) between
 * `message_start` and `message_delta`/`message_stop`; OpenAI streams deltas.
 * The translation: message_start → the role chunk; text_delta → content;
 * each tool_use block → the next tool_calls index (id and name on its first
 * delta, then input_json_delta fragments as arguments); thinking_delta →
 * `reasoning_content`, and each finished thinking block (signature included)
 * → `thinking_blocks`; message_delta → the finish chunk; message_stop → the
 * usage chunk when the client asked for include_usage. A stream that ends
 * without message_stop is an interrupted stream.
 *
 * message_start's usage (the input tokens, known before any output) has no
 * place in a canonical chunk; it rides on the role chunk as a hidden
 * property (MESSAGE_START_USAGE, a non-enumerable symbol: invisible to JSON,
 * to copies and to other routes), so the
 * gateway's own /v1/messages stream can repeat the upstream's count in its
 * message_start.
 */
import { z } from "zod";
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk, ChunkChoice, FinishReason } from "../../core/types.js";
import { type UpstreamResponse, streamFailure } from "../_shared/http.js";
import { readItems, type BodyReader } from "../_shared/read-body.js";
import { SSEDecoder, type SSEEvent } from "../_shared/sse.js";
import type { CallContext } from "../types.js";
import { anthropicStreamError } from "./errors.js";
import { canonicalUsage, finishReasonOf, type UsageFields } from "./response.js";

const usagePart = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation: z.looseObject({}).nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().optional() }).nullish(),
});

const eventSchemas = {
  message_start: z.looseObject({ message: z.looseObject({ id: z.string(), model: z.string(), usage: usagePart.nullish() }) }),
  content_block_start: z.looseObject({ index: z.number(), content_block: z.looseObject({ type: z.string() }) }),
  content_block_delta: z.looseObject({ index: z.number(), delta: z.looseObject({ type: z.string() }) }),
  content_block_stop: z.looseObject({ index: z.number() }),
  message_delta: z.looseObject({ delta: z.looseObject({ stop_reason: z.string().nullish() }), usage: usagePart.nullish() }),
  message_stop: z.looseObject({}),
  ping: z.looseObject({}),
  error: z.looseObject({ error: z.unknown() }),
};
type EventType = keyof typeof eventSchemas;
export type AnthropicEvent = { [K in EventType]: { type: K } & z.infer<(typeof eventSchemas)[K]> }[EventType];

/** One SSE event → a typed event, or undefined for event types this gateway does not know (newer API features). */
export function parseAnthropicEvent(ev: SSEEvent, provider: string): AnthropicEvent | undefined {
  if (ev.data === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(ev.data);
  } catch {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a stream event that is not valid JSON.`);
  }
  const type = (value as { type?: unknown } | null)?.type ?? ev.event;
  if (typeof type !== "string" || !Object.hasOwn(eventSchemas, type)) return undefined;
  const parsed = eventSchemas[type as EventType].safeParse(value);
  if (!parsed.success) {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a malformed '${type}' event.`);
  }
  return { ...parsed.data, type } as AnthropicEvent;
}

/** The upstream's message_start usage, on the role chunk (see above). */
export const MESSAGE_START_USAGE: unique symbol = Symbol("anthropic.message_start.usage");

export type StartUsage = { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number };

/** The upstream's message_start usage carried by a chunk, if it carries one. */
export function messageStartUsage(chunk: ChatChunk): StartUsage | undefined {
  return (chunk as ChatChunk & { [MESSAGE_START_USAGE]?: StartUsage })[MESSAGE_START_USAGE];
}

type BlockState =
  | { kind: "text" | "json" | "other" }
  | { kind: "tool"; toolIndex: number; sawArgs: boolean }
  | { kind: "thinking"; text: string; signature: string }
  | { kind: "redacted"; data: string };

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export interface TranslatorOptions {
  provider: string;
  includeUsage: boolean;
  /** The tool forced to carry a json_schema answer: its input fragments become content. */
  jsonTool?: string;
}

/** The per-stream translation state: one instance per upstream stream. */
export class AnthropicStreamTranslator {
  readonly #o: TranslatorOptions;
  readonly #created = Math.floor(Date.now() / 1000);
  readonly #blocks = new Map<number, BlockState>();
  #id = "";
  #model = "";
  #usage: UsageFields = {};
  #nextTool = 0;
  #done = false;

  constructor(options: TranslatorOptions) {
    this.#o = options;
  }

  /** True once message_stop arrived: the answer is complete. */
  get done(): boolean {
    return this.#done;
  }

  push(event: AnthropicEvent): ChatChunk[] {
    switch (event.type) {
      case "message_start":
        this.#id = event.message.id;
        this.#model = event.message.model;
        this.#addUsage(event.message.usage);
        return [this.#roleChunk(event.message.usage)];
      case "content_block_start":
        return this.#start(event.index, event.content_block);
      case "content_block_delta":
        return this.#delta(event.index, event.delta);
      case "content_block_stop":
        return this.#stop(event.index);
      case "message_delta":
        this.#addUsage(event.usage);
        return [this.#chunk({}, this.#finish(event.delta.stop_reason))];
      case "message_stop":
        this.#done = true;
        if (!this.#o.includeUsage) return [];
        return [{ ...this.#base(), choices: [], usage: canonicalUsage(this.#usage) }];
      case "ping":
        return [];
      case "error":
        throw anthropicStreamError(this.#o.provider, event);
    }
  }

  #roleChunk(usage: UsageFields | null | undefined): ChatChunk {
    const chunk = this.#chunk({ role: "assistant", content: "" });
    const input = usage?.input_tokens;
    if (typeof input === "number") {
      const start: StartUsage = { input_tokens: input, cache_creation_input_tokens: usage?.cache_creation_input_tokens ?? 0, cache_read_input_tokens: usage?.cache_read_input_tokens ?? 0 };
      // Not enumerable: chunk comparisons and copies see the canonical chunk only.
      Object.defineProperty(chunk, MESSAGE_START_USAGE, { value: start });
    }
    return chunk;
  }

  #finish(stopReason: string | null | undefined): FinishReason {
    const finish = finishReasonOf(stopReason);
    // A forced json_schema tool is an answer, not a tool call.
    return finish === "tool_calls" && this.#nextTool === 0 && this.#o.jsonTool !== undefined ? "stop" : finish;
  }

  #start(index: number, block: { type: string; [k: string]: unknown }): ChatChunk[] {
    switch (block.type) {
      case "text": {
        this.#blocks.set(index, { kind: "text" });
        const text = str(block.text);
        return text ? [this.#chunk({ content: text })] : [];
      }
      case "tool_use": {
        if (block.name === this.#o.jsonTool) {
          this.#blocks.set(index, { kind: "json" });
          return [];
        }
        const toolIndex = this.#nextTool++;
        // The start block carries `input: {}`; the input itself follows as input_json_delta fragments.
        const input = block.input;
        const early = typeof input === "object" && input !== null && Object.keys(input).length > 0 ? JSON.stringify(input) : "";
        this.#blocks.set(index, { kind: "tool", toolIndex, sawArgs: early !== "" });
        return [this.#chunk({
          tool_calls: [{ index: toolIndex, id: str(block.id), type: "function", function: { name: str(block.name), arguments: early } }],
        })];
      }
      case "thinking": {
        const text = str(block.thinking);
        this.#blocks.set(index, { kind: "thinking", text, signature: str(block.signature) });
        return text ? [this.#chunk({ reasoning_content: text })] : [];
      }
      case "redacted_thinking":
        this.#blocks.set(index, { kind: "redacted", data: str(block.data) });
        return [];
      default:
        this.#blocks.set(index, { kind: "other" });
        return [];
    }
  }

  #delta(index: number, delta: { type: string; [k: string]: unknown }): ChatChunk[] {
    const state = this.#blocks.get(index);
    if (!state) throw new GatewayError("stream_interrupted", `Provider '${this.#o.provider}' sent a delta for content block ${index} before starting it.`);
    switch (delta.type) {
      case "text_delta": {
        const text = str(delta.text);
        return text ? [this.#chunk({ content: text })] : [];
      }
      case "input_json_delta": {
        const part = str(delta.partial_json);
        if (part === "") return [];
        if (state.kind === "json") return [this.#chunk({ content: part })];
        if (state.kind !== "tool") return [];
        state.sawArgs = true;
        return [this.#chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: part } }] })];
      }
      case "thinking_delta": {
        const text = str(delta.thinking);
        if (state.kind === "thinking") state.text += text;
        return text ? [this.#chunk({ reasoning_content: text })] : [];
      }
      case "signature_delta":
        if (state.kind === "thinking") state.signature = str(delta.signature);
        return [];
      default:
        return []; // citations_delta and newer delta types carry nothing canonical
    }
  }

  #stop(index: number): ChatChunk[] {
    const state = this.#blocks.get(index);
    this.#blocks.delete(index);
    if (state?.kind === "tool" && !state.sawArgs) {
      // A tool without parameters streams no input; OpenAI clients expect "{}" to parse.
      return [this.#chunk({ tool_calls: [{ index: state.toolIndex, function: { arguments: "{}" } }] })];
    }
    if (state?.kind === "thinking") {
      return [this.#chunk({ thinking_blocks: [{ type: "thinking", thinking: state.text, signature: state.signature }] })];
    }
    if (state?.kind === "redacted") return [this.#chunk({ thinking_blocks: [{ type: "redacted_thinking", data: state.data }] })];
    return [];
  }

  /** message_delta counters are cumulative: later values replace earlier ones. */
  #addUsage(u: UsageFields | null | undefined): void {
    if (!u) return;
    for (const [key, value] of Object.entries(u)) {
      if (value !== null && value !== undefined) (this.#usage as Record<string, unknown>)[key] = value;
    }
  }

  // Not Omit<ChatChunk, "choices">: Omit over an index signature drops the named keys.
  #base(): { id: string; object: "chat.completion.chunk"; created: number; model: string } {
    return { id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model };
  }

  #chunk(delta: ChunkChoice["delta"], finish: FinishReason | null = null): ChatChunk {
    return { ...this.#base(), choices: [{ index: 0, delta, finish_reason: finish }] };
  }
}

export function anthropicStream(
  res: UpstreamResponse,
  ctx: CallContext,
  translator: AnthropicStreamTranslator,
  provider: string,
): AsyncGenerator<ChatChunk> {
  return readItems(res.body, new AnthropicSseReader(translator, ctx, provider));
}

/** SSE → translated chunks for one stream; message_stop ends it (see read-body.ts). */
class AnthropicSseReader implements BodyReader<ChatChunk> {
  readonly #decoder = new SSEDecoder();
  readonly #translator: AnthropicStreamTranslator;
  readonly #ctx: CallContext;
  readonly #provider: string;

  constructor(translator: AnthropicStreamTranslator, ctx: CallContext, provider: string) {
    this.#translator = translator;
    this.#ctx = ctx;
    this.#provider = provider;
  }

  get done(): boolean {
    return this.#translator.done;
  }

  push(bytes: Uint8Array, out: ChatChunk[]): unknown {
    return this.#translate(this.#decoder.push(bytes), out, true);
  }

  end(out: ChatChunk[]): unknown {
    const failure = this.#translate(this.#decoder.end(), out, false);
    if (failure !== undefined || this.done) return failure;
    return new GatewayError("stream_interrupted", `The stream from provider '${this.#provider}' ended before message_stop; the answer is incomplete.`);
  }

  fail(err: unknown): GatewayError {
    return streamFailure(err, this.#ctx, this.#provider);
  }

  #translate(events: SSEEvent[], out: ChatChunk[], untilDone: boolean): unknown {
    for (const ev of events) {
      try {
        const event = parseAnthropicEvent(ev, this.#provider);
        if (event) out.push(...this.#translator.push(event));
      } catch (err) {
        return err;
      }
      if (untilDone && this.done) return undefined;
    }
    return undefined;
  }
}
