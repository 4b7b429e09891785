/**
 * OpenAI SSE → typed chunks. Chunks are OpenAI's own shape already, so this
 * only parses, watches for in-stream errors and checks that the stream ended
 * properly (a dropped connection must surface as an error, never as a quiet
 * end of stream).
 */
import { GatewayError } from "../../core/errors.js";
import { rawJson } from "../../core/types.js";
import { batched, type Batched } from "../../core/batched.js";
import { LazyChunk } from "../../core/lazy-chunk.js";
import { type UpstreamResponse, streamFailure } from "../_shared/http.js";
import { readBatches, type BodyReader } from "../_shared/read-body.js";
import { SSEDecoder, type SSEEvent } from "../_shared/sse.js";
import type { CallContext } from "../types.js";
import { parseOpenAIError } from "./errors.js";

interface StreamPart { choices?: { finish_reason?: string | null }[]; error?: unknown }

/** Text that may hold a usage object, a finish reason or an error: such chunks are parsed at once. */
const NOTABLE = /"(?:usage"\s*:\s*\{|finish_reason"\s*:\s*"|error"\s*:)/;

/**
 * One SSE event → a chunk, or "done" at [DONE], or undefined for an empty
 * keep-alive event. A plain content chunk stays text (LazyChunk): see there.
 */
function toPart(ev: SSEEvent, provider: string): StreamPart | LazyChunk | "done" | undefined {
  const data = ev.data;
  if (data === "[DONE]") return "done";
  if (data === "") return undefined;
  if (ev.event === undefined && data.charCodeAt(0) === 123 /* { */ && data.charCodeAt(data.length - 1) === 125 /* } */ && !NOTABLE.test(data)) {
    return new LazyChunk(data);
  }
  let part: StreamPart;
  try {
    part = JSON.parse(ev.data) as StreamPart;
  } catch {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a stream event that is not valid JSON.`);
  }
  if (part.error !== undefined || ev.event === "error") {
    const parsed = parseOpenAIError(part);
    throw new GatewayError("upstream_error", `Provider '${provider}' reported an error mid-stream: ${parsed.message ?? "unknown error"}`, { clientCode: parsed.code ?? "upstream_error" });
  }
  rawJson.set(part, ev.data);
  return part;
}

/** The stream's chunks, a batch per network read (see core/batched.ts); iterable chunk by chunk too. */
export function openAIStream<T>(res: UpstreamResponse, ctx: CallContext, provider: string): Batched<T> {
  return batched(() => readBatches(res.body, new OpenAIStreamReader<T>(ctx, provider)));
}

/** SSE → chunks for one stream: the end is [DONE], or (when a server omits it) a finish_reason followed by the end of the body. */
class OpenAIStreamReader<T> implements BodyReader<T> {
  readonly #decoder = new SSEDecoder();
  readonly #ctx: CallContext;
  readonly #provider: string;
  done = false;
  /** A finish_reason arrived: some compatible servers omit [DONE], and this is proof enough of a clean end. */
  #finished = false;

  constructor(ctx: CallContext, provider: string) {
    this.#ctx = ctx;
    this.#provider = provider;
  }

  push(bytes: Uint8Array, out: T[]): unknown {
    return this.#parse(this.#decoder.push(bytes), out);
  }

  end(out: T[]): unknown {
    const failure = this.#parse(this.#decoder.end(), out);
    if (failure !== undefined || this.done || this.#finished) return failure;
    return new GatewayError("stream_interrupted", `The stream from provider '${this.#provider}' ended before the answer was complete.`);
  }

  fail(err: unknown): GatewayError {
    return streamFailure(err, this.#ctx, this.#provider);
  }

  #parse(events: SSEEvent[], out: T[]): unknown {
    for (const ev of events) {
      let part: ReturnType<typeof toPart>;
      try {
        part = toPart(ev, this.#provider);
      } catch (err) {
        return err;
      }
      if (part === "done") {
        this.done = true;
        return undefined;
      }
      if (part === undefined) continue;
      if (!(part instanceof LazyChunk) && part.choices?.some((c) => c.finish_reason)) this.#finished = true;
      out.push(part as T);
    }
    return undefined;
  }
}
