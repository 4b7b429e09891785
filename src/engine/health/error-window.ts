/**
 * Outcomes over a sliding window, in a fixed ring of buckets: recording is
 * O(1), reading sums the ring (ten buckets), memory never grows. A bucket
 * from an earlier lap of the ring is recognised by its epoch and counts as
 * empty, so an idle window expires without a timer.
 */

/** Buckets per window; the Redis scripts use the same number. */
export const WINDOW_BUCKETS = 10;

export interface WindowCounts {
  requests: number;
  failures: number;
}

export class ErrorWindow {
  readonly #bucketMs: number;
  readonly #epochs = new Float64Array(WINDOW_BUCKETS).fill(-Infinity);
  readonly #requests = new Uint32Array(WINDOW_BUCKETS);
  readonly #failures = new Uint32Array(WINDOW_BUCKETS);

  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, windowMs / WINDOW_BUCKETS);
  }

  add(now: number, ok: boolean): void {
    const epoch = Math.floor(now / this.#bucketMs);
    const slot = epoch % WINDOW_BUCKETS;
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#requests[slot] = 0;
      this.#failures[slot] = 0;
    }
    this.#requests[slot]! += 1;
    if (!ok) this.#failures[slot]! += 1;
  }

  counts(now: number): WindowCounts {
    const oldest = Math.floor(now / this.#bucketMs) - WINDOW_BUCKETS;
    let requests = 0;
    let failures = 0;
    for (let i = 0; i < WINDOW_BUCKETS; i++) {
      if (this.#epochs[i]! > oldest) {
        requests += this.#requests[i]!;
        failures += this.#failures[i]!;
      }
    }
    return { requests, failures };
  }

  reset(): void {
    this.#epochs.fill(-Infinity);
  }
}
