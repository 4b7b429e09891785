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
import { SSEDecoder, type SSEEvent } from "../_shared/sse.js";
import { transportError, type UpstreamStream } from "../_shared/http.js";
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
export function openAIStream<T>(res: UpstreamStream, ctx: CallContext, provider: string): Batched<T> {
  return batched(() => openAIBatches<T>(res, ctx, provider));
}

async function* openAIBatches<T>(res: UpstreamStream, ctx: CallContext, provider: string): AsyncGenerator<T[]> {
  const decoder = new SSEDecoder();
  const body = res.body;
  let finished = false;
  let done = false;
  /** Parses one read's events into `out`; an error is thrown after the chunks before it were handed over. */
  const parse = (events: SSEEvent[], out: T[]): unknown => {
    for (const ev of events) {
      let part: ReturnType<typeof toPart>;
      try {
        part = toPart(ev, provider);
      } catch (err) {
        return err;
      }
      if (part === "done") {
        done = true;
        return undefined;
      }
      if (part === undefined) continue;
      if (!(part instanceof LazyChunk) && part.choices?.some((c) => c.finish_reason)) finished = true;
      out.push(part as T);
    }
    return undefined;
  };
  try {
    for (let r = await body.next(); !r.done; r = await body.next()) {
      const out: T[] = [];
      const failure = parse(decoder.push(r.value), out);
      if (out.length) yield out;
      if (failure !== undefined) throw failure;
      if (done) return;
    }
    const out: T[] = [];
    const failure = parse(decoder.end(), out);
    if (out.length) yield out;
    if (failure !== undefined) throw failure;
    if (done) return;
  } catch (err) {
    throw transportError(err, ctx, provider);
  } finally {
    // A clean end lets the connection go back to the pool (the rest of the
    // body is dropped as it arrives); anything else (error, consumer left
    // early) closes it so nothing keeps reading.
    if (done) body.discard();
    else body.destroy();
  }
  // Some compatible servers omit [DONE]; a finish_reason is proof enough of a clean end.
  if (!finished) {
    throw new GatewayError("stream_interrupted", `The stream from provider '${provider}' ended before the answer was complete.`);
  }
}
