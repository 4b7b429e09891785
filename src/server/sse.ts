/**
 * Writes a stream of typed values (in batches, as they arrived together) to
 * the client as Server-Sent Events, waiting for the socket to drain when the client reads slower than
 * the upstream writes (backpressure), and ending with an error event, never a
 * hang, when the upstream fails mid-stream. What the events look like is the
 * caller's: OpenAI's `data:` lines or Anthropic's named events.
 */
import type { ServerResponse } from "node:http";
import { once } from "node:events";
import { toGatewayError, type GatewayError } from "../core/errors.js";
import { rawText } from "../core/lazy-chunk.js";
import { sseErrorEvent } from "./error-response.js";

/** Past this many buffered characters a batch is written at once. */
const MAX_BATCH = 64 * 1024;

export interface SSEFormat<T> {
  /** The bytes for one value (may be empty, or several events). */
  render(value: T): string;
  /** The bytes that close a stream that ended well. */
  done(): string;
  /** The bytes that close a stream that failed. */
  error(err: GatewayError): string;
}

/** OpenAI's framing: `data: <chunk>` per chunk, `data: [DONE]` at the end, an error object on failure. */
export const openAIFormat: SSEFormat<object> = {
  render: (value) => `data: ${rawText(value) ?? JSON.stringify(value)}\n\n`,
  done: () => "data: [DONE]\n\n",
  error: (err) => sseErrorEvent(err),
};

export async function pipeSSE<T>(
  res: ServerResponse,
  stream: AsyncIterable<T[]>,
  format: SSEFormat<T>,
  onError: (err: GatewayError) => void,
): Promise<void> {
  const iterator = stream[Symbol.asyncIterator]();
  // Events that arrive together (one upstream packet often carries many) leave
  // in one write at the end of the event-loop turn: one chunked frame and one
  // syscall instead of one per event, which the client's parser feels too.
  let pending = "";
  let scheduled = false;
  let blocked = false;
  const flush = () => {
    scheduled = false;
    if (!pending || res.writableEnded || res.destroyed) return;
    if (!res.write(pending)) blocked = true;
    pending = "";
  };
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done || res.destroyed) break;
      for (const value of next.value) pending += format.render(value);
      if (pending.length >= MAX_BATCH) flush();
      else if (!scheduled && pending) {
        scheduled = true;
        setImmediate(flush);
      }
      if (blocked) {
        await Promise.race([once(res, "drain"), once(res, "close")]);
        blocked = false;
      }
    }
    if (!res.destroyed) res.end(pending + format.done());
  } catch (err) {
    const e = toGatewayError(err);
    onError(e);
    if (!res.destroyed) res.end(pending + format.error(e));
  } finally {
    pending = "";
    // The client left (or we broke out): tell the engine, which cancels upstream.
    if (res.destroyed) await iterator.return?.().catch(() => undefined);
  }
}
