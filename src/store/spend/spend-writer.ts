/**
 * Spend off the hot path: add() only merges the amount into a map keyed by
 * (subject, period, period_start); a timer writes the map in one upsert
 * batch. A thousand requests of one key between flushes cost one row
 * write. A failed batch is merged back and retried with the next flush, so
 * spend is delayed by a database outage, not lost (unless the process stops
 * during it: close() tries once more, then reports what it could not write).
 */
import type { SpendDelta, SpendStore } from "./types.js";

export interface SpendWriterOptions {
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  /** A write failed; it will be retried with the next flush. */
  onError?: (err: unknown, rows: number) => void;
  /** Rows given up on at close(). */
  onDropped?: (deltas: SpendDelta[]) => void;
  onWritten?: (rows: number) => void;
}

export class SpendWriter {
  readonly #store: SpendStore;
  readonly #options: SpendWriterOptions;
  #queued = new Map<string, SpendDelta>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(store: SpendStore, options: SpendWriterOptions = {}) {
    this.#store = store;
    this.#options = options;
  }

  /** Keys waiting to be written. */
  get depth(): number {
    return this.#queued.size;
  }

  add(delta: SpendDelta): void {
    if (!(delta.usd !== 0 && Number.isFinite(delta.usd))) return;
    this.#merge(delta);
    if (!this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#options.flushIntervalMs ?? 1_000);
      this.#timer.unref();
    }
  }

  /** Writes what is queued now (one batch at a time). Never rejects. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#queued.size === 0) return;
    const batch = [...this.#queued.values()];
    this.#queued = new Map();
    this.#flushing = this.#store.addSpend(batch).then(
      () => safely(() => this.#options.onWritten?.(batch.length)),
      (err: unknown) => {
        for (const d of batch) this.#merge(d);
        safely(() => this.#options.onError?.(err, batch.length));
        if (!this.#closed && !this.#timer) {
          this.#timer = setTimeout(() => { this.#timer = undefined; void this.flush(); }, this.#options.flushIntervalMs ?? 1_000);
          this.#timer.unref();
        }
      },
    ).finally(() => { this.#flushing = undefined; });
    await this.#flushing;
  }

  /** Flushes, retrying once; whatever still fails is reported through onDropped. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    if (this.#queued.size) await this.flush();
    if (this.#queued.size) {
      const left = [...this.#queued.values()];
      this.#queued.clear();
      safely(() => this.#options.onDropped?.(left));
    }
  }

  #merge(d: SpendDelta): void {
    const key = `${d.subject}\u0000${d.period}\u0000${d.period_start}`;
    const q = this.#queued.get(key);
    if (q) q.usd += d.usd;
    else this.#queued.set(key, { ...d });
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // Reporting hooks must not break the writer.
  }
}
