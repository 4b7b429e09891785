/**
 * What a call is answered with, and how the answer turned out: the values
 * that pass between the steps of the pipeline (./pipeline.ts).
 */
import type { GatewayError } from "../core/errors.js";

/** A whole answer. */
export interface ValueReply {
  readonly kind: "value";
  readonly value: unknown;
}

/**
 * A streamed answer, read a batch at a time. Its first batch has already
 * been read (inside the upstream attempt, so a failure there could still
 * fail over): `batches.next()` hands it over first.
 */
export interface StreamReply {
  readonly kind: "stream";
  readonly batches: AsyncIterator<unknown[]>;
}

export type Reply = ValueReply | StreamReply;

/** How a call's answer turned out, for the work deferred until it is complete. */
export interface Outcome {
  /** The whole answer reached the caller (a stream ended cleanly). */
  readonly ok: boolean;
  /** Why not, when something failed (a client that left early has no error). */
  readonly error?: GatewayError | undefined;
}

/** A stream whose first batch was read ahead: that batch first, then the rest. */
export class PrimedBatches<T> implements AsyncIterator<T[]> {
  #first: IteratorResult<T[]> | undefined;
  readonly #rest: AsyncIterator<T[]>;

  constructor(first: IteratorResult<T[]>, rest: AsyncIterator<T[]>) {
    this.#first = first;
    this.#rest = rest;
  }

  next(): Promise<IteratorResult<T[]>> {
    const first = this.#first;
    if (first === undefined) return this.#rest.next();
    this.#first = undefined;
    return Promise.resolve(first);
  }

  async return(): Promise<IteratorResult<T[]>> {
    this.#first = undefined;
    await this.#rest.return?.();
    return { done: true, value: undefined };
  }
}
