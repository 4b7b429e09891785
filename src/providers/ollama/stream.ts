/**
 * Ollama streams (application/x-ndjson, api-streaming.mdx): one JSON object
 * per line, partial messages first, then a final object with `done: true`,
 * `done_reason` and the token counts. An `{"error": "..."}` line replaces the
 * rest once a stream has started. Translated here into OpenAI's chunk
 * sequence: a role chunk, content / reasoning / tool-call deltas, a finish
 * chunk, and a usage chunk when the client asked for one.
 *
 * A stream that ends without its `done: true` line was cut off, and fails
 * as stream_interrupted; it never passes for a complete answer.
 */
import { GatewayError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { ChatChunk, ChunkChoice, FinishReason } from "../../core/types.js";
import { streamFailure, type UpstreamResponse } from "../_shared/http.js";
import { readItems, recordedBody, type BodyReader } from "../_shared/read-body.js";
import { NDJSONDecoder } from "../_shared/sse.js";
import type { CallContext } from "../types.js";
import { midStreamError, streamErrorText } from "./errors.js";
import { createdFrom, finishReason, logprobsFrom, parseWire, toCanonicalToolCall, usageFrom, forcedCall } from "./response.js";
import { ollamaChatResponseSchema } from "./wire.js";

/** Turns one stream's NDJSON objects into canonical chunks; one instance per stream. */
export interface NdjsonTranslator<T> {
  /** True once the final (`done: true`) object has been translated. */
  readonly done: boolean;
  push(event: unknown): T[];
}

/**
 * NDJSON bytes → translated chunks, up to the final object. No I/O of its
 * own, so fixture tests can feed it recorded bytes.
 */
export function translateNdjson<T>(
  body: AsyncIterable<Uint8Array>,
  translator: NdjsonTranslator<T>,
  provider: string,
): AsyncGenerator<T> {
  return readItems(recordedBody(body), new NdjsonReader(translator, provider));
}

export function ollamaStream<T>(
  res: UpstreamResponse,
  ctx: CallContext,
  provider: string,
  translator: NdjsonTranslator<T>,
): AsyncGenerator<T> {
  return readItems(res.body, new NdjsonReader(translator, provider, ctx));
}

/** NDJSON lines → translated chunks for one stream; the `done: true` object ends it (see read-body.ts). */
class NdjsonReader<T> implements BodyReader<T> {
  readonly #decoder = new NDJSONDecoder();
  readonly #translator: NdjsonTranslator<T>;
  readonly #provider: string;
  /** Absent when replaying a recording: there is no transport to fail. */
  readonly #ctx: CallContext | undefined;

  constructor(translator: NdjsonTranslator<T>, provider: string, ctx?: CallContext) {
    this.#translator = translator;
    this.#provider = provider;
    this.#ctx = ctx;
  }

  get done(): boolean {
    return this.#translator.done;
  }

  push(bytes: Uint8Array, out: T[]): unknown {
    return this.#translate(bytes, out);
  }

  end(out: T[]): unknown {
    const failure = this.#translate(undefined, out);
    if (failure !== undefined || this.done) return failure;
    return new GatewayError("stream_interrupted", `The stream from provider '${this.#provider}' ended before the answer was complete (no final "done" object).`);
  }

  fail(err: unknown): unknown {
    return this.#ctx === undefined ? err : streamFailure(err, this.#ctx, this.#provider);
  }

  /** One read's lines (the rest of the body's, when `bytes` is undefined) → `out`, up to the final object. */
  #translate(bytes: Uint8Array | undefined, out: T[]): unknown {
    let events: unknown[];
    try {
      events = bytes === undefined ? this.#decoder.end() : this.#decoder.push(bytes);
    } catch (err) {
      if (!(err instanceof SyntaxError)) return err;
      return new GatewayError("stream_interrupted", `Provider '${this.#provider}' sent a stream line that is not valid JSON.`, { cause: err });
    }
    for (const event of events) {
      const error = streamErrorText(event);
      if (error !== undefined) return midStreamError(this.#provider, error);
      try {
        out.push(...this.#translator.push(event));
      } catch (err) {
        return err;
      }
      if (this.done) return undefined;
    }
    return undefined;
  }
}

export class ChatStreamTranslator implements NdjsonTranslator<ChatChunk> {
  done = false;
  readonly #provider: string;
  readonly #includeUsage: boolean;
  readonly #id = newId("chatcmpl-ollama");
  #model: string;
  #created = 0;
  #started = false;
  #toolCalls = 0;
  /** A forced tool's name (request.ts forcedTool): the answer's JSON text is kept and becomes its call at the end. */
  readonly #forced: string | undefined;
  #forcedText = "";

  constructor(provider: string, requestModel: string, includeUsage: boolean, forced?: string) {
    this.#provider = provider;
    this.#model = requestModel;
    this.#includeUsage = includeUsage;
    this.#forced = forced;
  }

  push(raw: unknown): ChatChunk[] {
    const event = parseWire(ollamaChatResponseSchema, raw, this.#provider, "a stream line");
    const out: ChatChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      this.#model = event.model || this.#model;
      this.#created = createdFrom(event.created_at);
      out.push(this.#chunk({ role: "assistant", content: "" }));
    }
    const message = event.message;
    if (message?.thinking) out.push(this.#chunk({ reasoning_content: message.thinking }));
    if (message?.content) {
      if (this.#forced !== undefined) this.#forcedText += message.content;
      else out.push(this.#chunk({ content: message.content }, null, logprobsFrom(event.logprobs)));
    }
    // Ollama sends each call whole, so each becomes one delta with all of it:
    // index, id and name as OpenAI's first delta of a call has them, and the full arguments.
    for (const call of message?.tool_calls ?? []) {
      const canonical = toCanonicalToolCall(call);
      out.push(this.#chunk({
        tool_calls: [{ index: this.#toolCalls++, id: canonical.id, type: "function", function: canonical.function }],
      }));
    }
    if (event.done) {
      this.done = true;
      if (this.#forced !== undefined && this.#toolCalls === 0) {
        const call = forcedCall(this.#forced, this.#forcedText);
        out.push(this.#chunk({ tool_calls: [{ index: this.#toolCalls++, id: call.id, type: "function", function: call.function }] }));
      }
      out.push(this.#chunk({}, finishReason(event.done_reason, this.#toolCalls > 0)));
      if (this.#includeUsage) out.push({ ...this.#base(), choices: [], usage: usageFrom(event) });
    }
    return out;
  }

  #base(): { id: string; object: "chat.completion.chunk"; created: number; model: string } {
    return { id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.#model };
  }

  #chunk(delta: ChunkChoice["delta"], finish: FinishReason | null = null, logprobs: unknown = null): ChatChunk {
    const chunk: ChatChunk = { ...this.#base(), choices: [{ index: 0, delta, logprobs, finish_reason: finish }] };
    // With include_usage, OpenAI sends `usage: null` on every chunk before the last.
    if (this.#includeUsage) chunk.usage = null;
    return chunk;
  }
}
