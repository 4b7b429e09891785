/**
 * How the engine learns that the caller went away (and so cancels the
 * upstream call). Library callers pass an AbortSignal; the HTTP server passes
 * a plain callback list instead: an AbortController per request and an
 * EventTarget listener per attempt cost ~5% of the gateway's CPU per request
 * in the bench, for an event that almost never happens.
 */
import { GatewayError, COMMON_ERRORS } from "./errors.js";

export interface ClientLink {
  readonly aborted: boolean;
  /** Why: a GatewayError (client_closed, or the caller's own reason). */
  readonly reason: GatewayError;
  /** Calls `fn` once when the client goes away; returns the unsubscribe. */
  onAbort(fn: () => void): () => void;
  /** An AbortSignal for APIs that need one (created on first call). */
  signal(): AbortSignal;
}

function asGatewayError(reason: unknown): GatewayError {
  return reason instanceof GatewayError ? reason : COMMON_ERRORS.clientClosed();
}

/** The HTTP server's link: aborted by the server when the response closes early. */
export class CallbackLink implements ClientLink {
  aborted = false;
  #reason: GatewayError | undefined;
  #listeners: (() => void)[] | undefined;
  #controller: AbortController | undefined;

  get reason(): GatewayError {
    return (this.#reason ??= COMMON_ERRORS.clientClosed());
  }

  abort(reason?: GatewayError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    for (const fn of listeners ?? []) fn();
    this.#controller?.abort(this.reason);
  }

  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return () => {};
    }
    (this.#listeners ??= []).push(fn);
    return () => {
      const list = this.#listeners;
      const i = list ? list.indexOf(fn) : -1;
      if (i >= 0) list!.splice(i, 1);
    };
  }

  signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }
}

/** A library caller's AbortSignal as a link (listeners go straight onto the signal). */
export function signalLink(signal: AbortSignal): ClientLink {
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return asGatewayError(signal.reason);
    },
    onAbort(fn) {
      if (signal.aborted) {
        fn();
        return () => {};
      }
      signal.addEventListener("abort", fn, { once: true });
      return () => signal.removeEventListener("abort", fn);
    },
    signal: () => signal,
  };
}
