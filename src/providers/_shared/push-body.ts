/**
 * A response body fed by undici's dispatch() handler and read as an async
 * iterable of network chunks. What request()'s body stream does, minus the
 * stream machinery: a queue, one pending reader, and pause/resume on the
 * connection when the reader falls behind (backpressure).
 */
/** What the body may ask of its connection. */
export interface BodyControl {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** Chunks queued before the connection is paused. */
const HIGH_WATER = 16;

export class PushBody implements AsyncIterableIterator<Buffer> {
  #queue: Buffer[] = [];
  #waiter: { resolve(r: IteratorResult<Buffer>): void; reject(err: unknown): void } | undefined;
  #ended = false;
  #error: unknown;
  #discarding = false;
  #paused = false;
  controller: BodyControl | undefined;

  /** True once the body ended, failed or was destroyed. */
  get settled(): boolean {
    return this.#ended || this.#error !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.#discarding) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: chunk, done: false });
      return;
    }
    this.#queue.push(chunk);
    if (this.#queue.length >= HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.controller?.pause();
    }
  }

  end(): void {
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  fail(err: unknown): void {
    if (this.settled) return;
    this.#error = err;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(err);
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      if (this.#paused && this.#queue.length === 0) {
        this.#paused = false;
        this.controller?.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Leaving a for-await loop early closes the response (its connection with it). */
  return(): Promise<IteratorResult<Buffer>> {
    this.destroy();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The reader is done but the response went well: the rest arrives and is dropped, and the connection goes back to the pool. */
  discard(): void {
    this.#discarding = true;
    this.#queue = [];
    if (this.#paused) {
      this.#paused = false;
      this.controller?.resume();
    }
  }

  /** Aborts the response: the connection is closed. */
  destroy(reason: Error = new Error("response body destroyed")): void {
    if (this.settled) return;
    this.#queue = [];
    this.controller?.abort(reason);
    this.fail(reason);
  }

  async text(): Promise<string> {
    const chunks: Buffer[] = [];
    for (let r = await this.next(); !r.done; r = await this.next()) chunks.push(r.value);
    return chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
  }
}
