/**
 * ConverseStream (AWS event-stream frames) → canonical chunks, shaped like
 * OpenAI's stream so the official openai SDK reassembles them: a role chunk,
 * content / reasoning / tool-call deltas, a finish chunk, then (with
 * stream_options.include_usage) a usage chunk with `choices: []`.
 *
 * Bedrock's events: messageStart · (contentBlockStart · contentBlockDelta* ·
 * contentBlockStop)* · messageStop · metadata, where text blocks skip the
 * start event and tool-use blocks announce id and name in it. A body that
 * ends before messageStop was cut short and is an error, never a quiet end.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk, ChunkChoice, FinishReason } from "../../core/types.js";
import { type UpstreamResponse, streamFailure } from "../_shared/http.js";
import { readItems, type BodyReader } from "../_shared/read-body.js";
import { parseErrorBody } from "../_shared/upstream-error.js";
import type { CallContext } from "../types.js";
import { streamExceptionError } from "./errors.js";
import { EventStreamDecoder, EventStreamFramingError, type EventStreamMessage } from "./event-stream.js";
import { finishReasonOf, usageOf } from "./response.js";
import { streamEventSchemas, type StreamEvent, type StreamEventType } from "./wire-types.js";

function isKnownEvent(type: string): type is StreamEventType {
  return Object.hasOwn(streamEventSchemas, type);
}

/** One decoded frame → a typed event; undefined for event types we do not use. Throws on exceptions and garbage. */
export function toStreamEvent(message: EventStreamMessage, provider: string): StreamEvent | undefined {
  const text = Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength).toString("utf8");
  if (message.messageType === "error") {
    throw new GatewayError("upstream_error", `Provider '${provider}' reported ${message.type || "an error"} mid-stream: ${message.errorMessage || "no message"}`, {
      clientCode: message.type || null,
    });
  }
  if (message.messageType === "exception") throw streamExceptionError(provider, message.type, parseErrorBody(text));
  let payload: unknown;
  try {
    payload = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a ${message.type || "stream"} frame whose payload is not valid JSON.`);
  }
  if (message.messageType !== "event" || !isKnownEvent(message.type)) return undefined;
  const parsed = streamEventSchemas[message.type].safeParse(payload);
  if (!parsed.success) {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a malformed ${message.type} event.`);
  }
  // The schema was picked by `type`, so the pair is consistent.
  return { type: message.type, payload: parsed.data } as StreamEvent;
}

/**
 * Per-stream translation state: the frame decoder, which content block is
 * which tool call, and whether the message ended. Synchronous: fed one
 * network chunk at a time, it returns the chunks that chunk completed.
 */
export class ConverseStreamTranslator {
  readonly #provider: string;
  readonly #id: string;
  readonly #model: string;
  readonly #created: number;
  readonly #includeUsage: boolean;
  readonly #decoder = new EventStreamDecoder();
  /** contentBlockIndex → OpenAI tool_calls index (0, 1, … in order of appearance). */
  readonly #toolIndex = new Map<number, number>();
  #finished = false;
  /** An error met after chunks that still had to be delivered. */
  #pending: unknown;

  constructor(options: { provider: string; id: string; model: string; includeUsage: boolean; created?: number }) {
    this.#provider = options.provider;
    this.#id = options.id;
    this.#model = options.model;
    this.#includeUsage = options.includeUsage;
    this.#created = options.created ?? Math.floor(Date.now() / 1000);
  }

  /**
   * Feeds one network chunk of the body. Throws a GatewayError on exception
   * frames and broken framing; chunks completed earlier in the same network
   * chunk are returned first and the error is thrown by the next call.
   */
  push(bytes: Uint8Array): ChatChunk[] {
    this.#throwPending();
    const out: ChatChunk[] = [];
    try {
      for (const message of this.#decode(bytes)) {
        const event = toStreamEvent(message, this.#provider);
        if (event !== undefined) out.push(...this.translate(event));
      }
    } catch (err) {
      if (out.length === 0) throw err;
      this.#pending = err;
    }
    return out;
  }

  /** The body ended: throws unless the message was complete (messageStop seen, no half frame left). */
  end(): void {
    this.#throwPending();
    if (!this.#finished || this.#decoder.pending > 0) {
      throw new GatewayError("stream_interrupted", `The stream from provider '${this.#provider}' ended before the answer was complete (no messageStop event).`);
    }
  }

  translate(event: StreamEvent): ChatChunk[] {
    switch (event.type) {
      case "messageStart":
        return [this.#chunk({ role: "assistant", content: "" })];
      case "contentBlockStart": {
        const tool = event.payload.start?.toolUse;
        if (tool === undefined) return [];
        const index = this.#toolFor(event.payload.contentBlockIndex);
        return [this.#chunk({ tool_calls: [{ index, id: tool.toolUseId, type: "function", function: { name: tool.name, arguments: "" } }] })];
      }
      case "contentBlockDelta": {
        const { delta, contentBlockIndex } = event.payload;
        if (delta.text !== undefined) return delta.text === "" ? [] : [this.#chunk({ content: delta.text })];
        if (delta.toolUse !== undefined) {
          const index = this.#toolFor(contentBlockIndex);
          return delta.toolUse.input === "" ? [] : [this.#chunk({ tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] })];
        }
        // Reasoning text streams as `reasoning_content`; its signature has no OpenAI field.
        const reasoning = delta.reasoningContent?.text;
        return reasoning ? [this.#chunk({ reasoning_content: reasoning })] : [];
      }
      case "contentBlockStop":
        return [];
      case "messageStop":
        this.#finished = true;
        return [this.#chunk({}, finishReasonOf(event.payload.stopReason, this.#toolIndex.size > 0))];
      case "metadata": {
        const usage = event.payload.usage;
        if (!this.#includeUsage || usage === undefined) return [];
        return [{ id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model, choices: [], usage: usageOf(usage) }];
      }
    }
  }

  #decode(bytes: Uint8Array): EventStreamMessage[] {
    try {
      return this.#decoder.push(bytes);
    } catch (err) {
      if (!(err instanceof EventStreamFramingError)) throw err;
      throw new GatewayError("stream_interrupted", `Provider '${this.#provider}' sent a broken event stream: ${err.message}.`, { cause: err });
    }
  }

  #throwPending(): void {
    if (this.#pending === undefined) return;
    const err = this.#pending;
    this.#pending = undefined;
    throw err;
  }

  #toolFor(block: number): number {
    let index = this.#toolIndex.get(block);
    if (index === undefined) {
      index = this.#toolIndex.size;
      this.#toolIndex.set(block, index);
    }
    return index;
  }

  #chunk(delta: ChunkChoice["delta"], finish: FinishReason | null = null): ChatChunk {
    return {
      id: this.#id,
      object: "chat.completion.chunk",
      created: this.#created,
      model: this.#model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
  }
}

export function converseStream(res: UpstreamResponse, ctx: CallContext, provider: string, translator: ConverseStreamTranslator): AsyncGenerator<ChatChunk> {
  return readItems(res.body, new ConverseReader(translator, ctx, provider));
}

/**
 * Event-stream frames → translated chunks for one stream. Read to the end of
 * the body: the usage (metadata event) follows messageStop.
 */
class ConverseReader implements BodyReader<ChatChunk> {
  readonly done = false;
  readonly #translator: ConverseStreamTranslator;
  readonly #ctx: CallContext;
  readonly #provider: string;

  constructor(translator: ConverseStreamTranslator, ctx: CallContext, provider: string) {
    this.#translator = translator;
    this.#ctx = ctx;
    this.#provider = provider;
  }

  /** The translator delivers the chunks before an error itself (it throws the error on the next call). */
  push(bytes: Uint8Array, out: ChatChunk[]): undefined {
    out.push(...this.#translator.push(bytes));
    return undefined;
  }

  end(): undefined {
    this.#translator.end();
    return undefined;
  }

  fail(err: unknown): GatewayError {
    return streamFailure(err, this.#ctx, this.#provider);
  }
}
