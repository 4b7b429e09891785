/**
 * Writes typed chunks to the client as Server-Sent Events, chunk by chunk,
 * waiting for the socket to drain when the client reads slower than the
 * upstream writes (backpressure), and ending with an error event, never a
 * hang, when the upstream fails mid-stream.
 */
import type { ServerResponse } from "node:http";
import { once } from "node:events";
import { toGatewayError, type GatewayError } from "../core/errors.js";
import { rawJson } from "../core/types.js";
import { sseErrorEvent } from "./error-response.js";

/** Past this many buffered characters a batch is written at once. */
const MAX_BATCH = 64 * 1024;

export async function pipeSSE<T>(
  res: ServerResponse,
  stream: AsyncIterable<T>,
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
      const value = next.value as object;
      pending += `data: ${rawJson.get(value) ?? JSON.stringify(value)}\n\n`;
      if (pending.length >= MAX_BATCH) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      if (blocked) {
        await Promise.race([once(res, "drain"), once(res, "close")]);
        blocked = false;
      }
    }
    if (!res.destroyed) res.end(`${pending}data: [DONE]\n\n`);
  } catch (err) {
    const e = toGatewayError(err);
    onError(e);
    if (!res.destroyed) res.end(pending + sseErrorEvent(e));
  } finally {
    pending = "";
    // The client left (or we broke out): tell the engine, which cancels upstream.
    if (res.destroyed) await iterator.return?.().catch(() => undefined);
  }
}
