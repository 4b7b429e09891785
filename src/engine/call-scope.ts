/**
 * One upstream call's lifetime: a link (and, if an adapter asks, an
 * AbortSignal) that fires when the client leaves or the total timeout passes,
 * with the reason attached so the error says which one happened.
 */
import { GatewayError } from "../core/errors.js";
import type { CallContext, Timeouts } from "../providers/types.js";
import { CallbackLink, type ClientLink } from "../core/client-link.js";

export interface CallScope {
  ctx: CallContext;
  dispose(): void;
}

export function openCallScope(requestId: string, timeouts: Timeouts, client?: ClientLink): CallScope {
  // A callback list, not an AbortController: the signal is made only for an adapter that reads it.
  const link = new CallbackLink();
  const timer = setTimeout(() => {
    link.abort(new GatewayError("upstream_timeout", `The request took longer than its total timeout of ${timeouts.totalMs} ms.`));
  }, timeouts.totalMs);
  timer.unref();
  const off = client?.onAbort(() => link.abort(client.reason));
  return {
    ctx: new ScopeContext(link, timeouts, requestId),
    dispose() {
      clearTimeout(timer);
      off?.();
    },
  };
}

/** A class rather than a literal with a getter: per-request literals with accessors cost measurably more GC work. */
class ScopeContext implements CallContext {
  headers?: Record<string, string>;
  constructor(readonly link: CallbackLink, readonly timeouts: Timeouts, readonly requestId: string) {}

  /** Made on first read: most adapters listen on the link instead. */
  get signal(): AbortSignal {
    return this.link.signal();
  }
}
