/**
 * One upstream call's lifetime: an AbortSignal that fires when the client
 * leaves or the total timeout passes, with the reason attached so the error
 * says which one happened.
 */
import { GatewayError } from "../core/errors.js";
import type { CallContext, Timeouts } from "../providers/types.js";
import type { ClientLink } from "./client-link.js";

export interface CallScope {
  ctx: CallContext;
  dispose(): void;
}

export function openCallScope(requestId: string, timeouts: Timeouts, client?: ClientLink): CallScope {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new GatewayError("upstream_timeout", `The request took longer than its total timeout of ${timeouts.totalMs} ms.`));
  }, timeouts.totalMs);
  timer.unref();
  const off = client?.onAbort(() => controller.abort(client.reason));
  return {
    ctx: { signal: controller.signal, timeouts, requestId },
    dispose() {
      clearTimeout(timer);
      off?.();
    },
  };
}
