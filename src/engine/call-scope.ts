/**
 * One upstream call's lifetime: an AbortSignal that fires when the client
 * leaves or the total timeout passes, with the reason attached so the error
 * says which one happened.
 */
import { GatewayError } from "../core/errors.js";
import type { CallContext, Timeouts } from "../providers/types.js";

export interface CallScope {
  ctx: CallContext;
  dispose(): void;
}

export function openCallScope(requestId: string, timeouts: Timeouts, clientSignal?: AbortSignal): CallScope {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new GatewayError("upstream_timeout", `The request took longer than its total timeout of ${timeouts.totalMs} ms.`));
  }, timeouts.totalMs);
  timer.unref();
  let onClientAbort: (() => void) | undefined;
  if (clientSignal) {
    if (clientSignal.aborted) controller.abort(clientAbortReason(clientSignal));
    else {
      onClientAbort = () => controller.abort(clientAbortReason(clientSignal));
      clientSignal.addEventListener("abort", onClientAbort, { once: true });
    }
  }
  return {
    ctx: { signal: controller.signal, timeouts, requestId },
    dispose() {
      clearTimeout(timer);
      if (onClientAbort) clientSignal?.removeEventListener("abort", onClientAbort);
    },
  };
}

function clientAbortReason(signal: AbortSignal): GatewayError {
  return signal.reason instanceof GatewayError
    ? signal.reason
    : new GatewayError("client_closed", "The client closed the request.", { retryable: false });
}
