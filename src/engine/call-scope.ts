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
    ctx: {
      get signal() {
        return link.signal();
      },
      link,
      timeouts,
      requestId,
    },
    dispose() {
      clearTimeout(timer);
      off?.();
    },
  };
}
