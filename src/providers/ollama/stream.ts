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
import { transportError, type UpstreamResponse } from "../_shared/http.js";
import { NDJSONDecoder } from "../_shared/sse.js";
import type { CallContext } from "../types.js";
import { midStreamError, streamErrorText } from "./errors.js";
import {
  createdFrom, finishReason, logprobsFrom, parseWire, toCanonicalToolCall, usageFrom,
} from "./response.js";
import { ollamaChatResponseSchema } from "./wire.js";

/** Turns one stream's NDJSON objects into canonical chunks; one instance per stream. */
export interface NdjsonTranslator<T> {
  /** True once the final (`done: true`) object has been translated. */
  readonly done: boolean;
  push(event: unknown): T[];
}

function decode(read: () => unknown[], provider: string): unknown[] {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a stream line that is not valid JSON.`, { cause: err });
  }
}

/**
 * NDJSON bytes → translated chunks, up to the final object. No I/O of its
 * own, so fixture tests can feed it recorded bytes.
 */
export async function* translateNdjson<T>(
  body: AsyncIterable<Uint8Array>,
  translator: NdjsonTranslator<T>,
  provider: string,
): AsyncGenerator<T> {
  const decoder = new NDJSONDecoder();
  const translate = (event: unknown): T[] => {
    const error = streamErrorText(event);
    if (error !== undefined) throw midStreamError(provider, error);
    return translator.push(event);
  };
  for await (const bytes of body) {
    for (const event of decode(() => decoder.push(bytes), provider)) {
      yield* translate(event);
      if (translator.done) return;
    }
  }
  for (const event of decode(() => decoder.end(), provider)) {
    yield* translate(event);
    if (translator.done) return;
  }
  throw new GatewayError("stream_interrupted", `The stream from provider '${provider}' ended before the answer was complete (no final "done" object).`);
}

function ignore(): void {}

/** A transport failure after the stream began is a broken stream, not an unreachable server. */
function streamFailure(err: unknown, ctx: CallContext, provider: string): GatewayError {
  const mapped = transportError(err, ctx, provider);
  if (mapped.code !== "upstream_unreachable") return mapped;
  const detail = err instanceof Error ? err.message : String(err);
  return new GatewayError("stream_interrupted", `The stream from provider '${provider}' broke off mid-response: ${detail}.`, { cause: err });
}

export async function* ollamaStream<T>(
  res: UpstreamResponse,
  ctx: CallContext,
  provider: string,
  translator: NdjsonTranslator<T>,
): AsyncGenerator<T> {
  try {
    // destroyOnReturn: false: stopping at the final object must not destroy
    // the body (and with it the keep-alive connection); it is drained below.
    yield* translateNdjson(res.body.iterator({ destroyOnReturn: false }), translator, provider);
  } catch (err) {
    throw streamFailure(err, ctx, provider);
  } finally {
    // A complete answer lets the connection go back to the pool; anything
    // else (error, consumer gone) closes it so the upstream stops generating.
    if (translator.done) res.body.resume();
    else if (!res.body.destroyed) {
      // Destroying an unfinished body emits an AbortError nobody is left to hear.
      res.body.on("error", ignore);
      res.body.destroy();
    }
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

  constructor(provider: string, requestModel: string, includeUsage: boolean) {
    this.#provider = provider;
    this.#model = requestModel;
    this.#includeUsage = includeUsage;
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
    if (message?.content) out.push(this.#chunk({ content: message.content }, null, logprobsFrom(event.logprobs)));
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
