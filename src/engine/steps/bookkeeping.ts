/**
 * Bookkeeping, the outermost step: counts the request in flight, relays a
 * streamed answer to the caller (chunk accounting, time to first token),
 * and when the answer is complete — at once for a value, at the end of a
 * stream, however it ends — settles the call: the kind of call accounts
 * its usage, the outcome is frozen, the other steps' deferred work runs,
 * and the outcome is recorded off the request path (./outcomes.ts).
 */
import { toGatewayError, type GatewayError } from "../../core/errors.js";
import type { Call } from "../call.js";
import type { EngineParts } from "../engine-parts.js";
import type { Step } from "../pipeline.js";
import type { Reply } from "../reply.js";

export function bookkeeping(parts: EngineParts): Step {
  const { outcomes } = parts;
  return (next) => async (call) => {
    outcomes.begun();
    let reply: Reply;
    try {
      reply = await next(call);
      if (reply.kind === "value") call.complete(reply);
    } catch (err) {
      const e = toGatewayError(err);
      outcomes.fail(call.rec, e);
      try {
        call.settle({ ok: false, error: e });
      } finally {
        outcomes.ended();
      }
      throw e;
    }
    if (reply.kind === "stream") return { kind: "stream", batches: relay(parts, call, reply.batches) };
    outcomes.finish(call.rec, 200, null);
    try {
      call.settle({ ok: true });
    } finally {
      outcomes.ended();
    }
    return reply;
  };
}

/**
 * Passes a stream's batches to the caller as the kind of call presents them,
 * and settles the call however the stream ends. Streams fail over only
 * before their first byte reached the client; after that, a failure ends the
 * stream with an error event (status 200 was sent; the error code says why).
 */
async function* relay(parts: EngineParts, call: Call, batches: AsyncIterator<unknown[]>): AsyncGenerator<unknown[]> {
  const rec = call.rec;
  let error: GatewayError | undefined;
  let ended = false;
  try {
    for (let next = await batches.next(); !next.done; next = await batches.next()) {
      rec.firstChunk();
      const out: unknown[] = [];
      for (const chunk of next.value) {
        const seen = call.present(chunk);
        if (seen !== undefined) out.push(seen);
      }
      if (out.length) yield out;
    }
    ended = true;
  } catch (err) {
    error = toGatewayError(err);
    parts.scrub(error);
    throw error;
  } finally {
    if (!ended) await batches.return?.().catch(() => undefined);
    try {
      call.complete(undefined);
      if (error) parts.outcomes.fail(rec, error, 200);
      else parts.outcomes.finish(rec, 200, ended ? null : "client_closed");
      call.settle({ ok: ended && !error, error });
    } finally {
      parts.outcomes.ended();
    }
  }
}
