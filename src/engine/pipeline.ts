/**
 * The shape every step of the engine shares, as undici composes
 * interceptors and hono composes middleware: a `Send` takes a call and
 * answers it; a `Step` wraps the next `Send` in one concern. The engine's
 * pipeline is the ordered list in ./steps/index.ts; see docs/architecture.md.
 *
 * Unary and streamed calls go through the same steps. A streamed answer is
 * complete only when its stream ends, so work a step does "after" the answer
 * is registered with `call.defer(...)` and run by the bookkeeping step when
 * the answer is complete — at once for a whole value, at the end of a stream.
 */
import type { Call } from "./call.js";
import type { Reply } from "./reply.js";


export type Send = (call: Call) => Promise<Reply>;
export type Step = (next: Send) => Send;

/** `steps[0]` is outermost: it sees the call first and the outcome last. */
export function compose(steps: readonly Step[], send: Send): Send {
  let composed = send;
  for (let i = steps.length - 1; i >= 0; i--) composed = steps[i]!(composed);
  return composed;
}
