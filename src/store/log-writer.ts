/**
 * Takes log rows off the request path: `enqueue` only pushes onto an array;
 * a single background loop writes them in batches, retries a failed batch
 * with backoff, and accounts for every row it could not write through hooks.
 * A log row is never worth failing or slowing a request for, and never
 * worth losing without a trace.
 */
import type { LogRow, LogSink, Store } from "./types.js";

/**
 * Why rows were dropped. `closed` (not in the original brief) covers rows that
 * arrive after close() or are still queued when its deadline passes: neither
 * a full queue nor a failed write, and worth telling apart on a dashboard.
 */
export type DropReason = "queue_full" | "write_failed" | "closed";

export interface LogWriterHooks {
  onWritten?(n: number): void;
  onDropped?(n: number, reason: DropReason): void;
  /** Every failed write attempt; `attempt` counts from 1 for each batch. */
  onError?(err: unknown, attempt: number): void;
}

export interface LogWriterOptions {
  /** Rows held (queued or being written) before new ones are dropped. */
  maxQueue?: number;
  /** Rows per insertLogs call; reaching it triggers a write at once. */
  batchSize?: number;
  /** How long a row may wait for a batch to fill. */
  flushIntervalMs?: number;
  /** Failed attempts of one batch before its rows are dropped. */
  maxRetries?: number;
  /** Backoff before the 2nd attempt; doubles per attempt (capped at 30 s), with jitter. */
  retryBaseMs?: number;
  /** How long close() keeps trying to write what is queued. */
  closeTimeoutMs?: number;
  hooks?: LogWriterHooks;
}

export const LOG_WRITER_DEFAULTS = {
  maxQueue: 10_000,
  batchSize: 500,
  flushIntervalMs: 200,
  maxRetries: 5,
  retryBaseMs: 200,
  closeTimeoutMs: 5000,
} as const;

const MAX_BACKOFF_MS = 30_000;

interface FlushWaiter {
  /** Resolved once this many rows (counted since start) have left the queue. */
  target: number;
  resolve: () => void;
}

export class LogWriter {
  private readonly sink: LogSink<unknown>;
  private readonly opts: Required<Omit<LogWriterOptions, "hooks">>;
  private readonly hooks: LogWriterHooks;

  // FIFO as array + head index: O(1) amortised push and take, no shifting.
  /** Rows as the store's sink encoded them (LogRow objects for a store without one). */
  private queue: unknown[] = [];
  private head = 0;
  /** The batch being written or waiting for its retry; always older than the queue. */
  private batch: unknown[] | null = null;
  private batchFailures = 0;
  private inFlight = false;

  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timerImmediate = false;
  private backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  // Rows accepted and rows that have left (written or dropped after
  // acceptance), both in FIFO order: flush() waits for settled to catch up.
  private accepted = 0;
  private settled = 0;
  private waiters: FlushWaiter[] = [];

  private closing: Promise<void> | null = null;
  private stopped = false;
  private writtenCount = 0;
  private droppedCount = 0;

  constructor(store: Store, options: LogWriterOptions = {}) {
    this.sink = store.logSink?.() ?? { encode: (row) => row, write: (batch) => store.insertLogs(batch as LogRow[]) };
    this.hooks = options.hooks ?? {};
    const pick = (key: keyof typeof LOG_WRITER_DEFAULTS, min: number): number => {
      const value = options[key];
      return value === undefined || !Number.isFinite(value) ? LOG_WRITER_DEFAULTS[key] : Math.max(min, Math.floor(value));
    };
    this.opts = {
      maxQueue: pick("maxQueue", 1),
      batchSize: pick("batchSize", 1),
      flushIntervalMs: pick("flushIntervalMs", 0),
      maxRetries: pick("maxRetries", 1),
      retryBaseMs: pick("retryBaseMs", 0),
      closeTimeoutMs: pick("closeTimeoutMs", 0),
    };
  }

  /** Rows accepted but not yet written (including a batch being written or retried). */
  get depth(): number {
    return this.queue.length - this.head + (this.batch?.length ?? 0);
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get written(): number {
    return this.writtenCount;
  }

  /** Never throws, never waits: a full queue or a closed writer drops the row and reports it. */
  enqueue(row: LogRow): void {
    if (this.closing !== null) {
      this.drop(1, "closed");
      return;
    }
    if (this.depth >= this.opts.maxQueue) {
      this.drop(1, "queue_full");
      return;
    }
    let encoded: unknown;
    try {
      encoded = this.sink.encode(row);
    } catch {
      // A row the store cannot encode would fail its whole batch, every retry.
      this.drop(1, "write_failed");
      return;
    }
    this.queue.push(encoded);
    this.accepted += 1;
    // A running loop takes the row in a full batch, or schedules it when its write ends.
    if (this.draining !== null) return;
    this.schedule(this.queue.length - this.head >= this.opts.batchSize ? 0 : this.opts.flushIntervalMs);
  }

  /** Resolves once every row queued before the call is written or reported dropped. */
  flush(): Promise<void> {
    const target = this.accepted;
    if (this.settled >= target) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    // Someone is waiting now: a pending backoff must keep the process alive.
    this.backoff?.timer.ref();
    this.startDrain();
    return done;
  }

  /**
   * Stops accepting rows and writes what is queued, giving up after
   * closeTimeoutMs: what is still unwritten then is reported as dropped.
   * Does not close the store; its owner does, after this resolves.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.clearTimer();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.flush().then(() => false),
      // Deliberately ref'd: the process should wait for this bounded drain.
      new Promise<boolean>((resolve) => (deadline = setTimeout(() => resolve(true), this.opts.closeTimeoutMs))),
    ]);
    clearTimeout(deadline);
    this.stopped = true;
    if (!timedOut) return;

    // A write still in flight settles on its own (written, or dropped without
    // retry now that we are stopped); everything else is given up now.
    if (this.batch !== null && !this.inFlight) {
      const n = this.batch.length;
      this.batch = null;
      this.drop(n, "write_failed", true);
    }
    const queued = this.queue.length - this.head;
    this.queue = [];
    this.head = 0;
    if (queued > 0) this.drop(queued, "closed", true);
    this.backoff?.wake();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) {
      if (this.timerImmediate || delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timerImmediate = delayMs === 0;
    // Even a zero delay goes through a timer: the write's synchronous part
    // (encoding, SQL compilation) must not run on the caller's stack.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startDrain();
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startDrain(): void {
    if (this.draining !== null || this.stopped) return;
    this.clearTimer();
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.depth > 0) this.schedule(this.opts.flushIntervalMs);
    });
  }

  /**
   * The only writer: one insertLogs in flight at a time, oldest rows first.
   * After a write, what arrived meanwhile goes at once only as a full batch
   * (or when flush()/close() waits); a shorter one waits out flushIntervalMs
   * to fill. Writing every trickle at once made transactions of a few dozen
   * rows under load: SQLite rewrote the same index pages for each, and the
   * writer thread's CPU per row doubled.
   */
  private async drain(): Promise<void> {
    let wrote = false;
    while (!this.stopped) {
      if (this.batch === null) {
        const queued = this.queue.length - this.head;
        if (queued === 0) return;
        if (queued < this.opts.batchSize && wrote && this.waiters.length === 0) return;
        const n = Math.min(queued, this.opts.batchSize);
        this.batch = this.take(n);
        this.batchFailures = 0;
      }
      const batch = this.batch;
      this.inFlight = true;
      try {
        await this.sink.write(batch);
        this.inFlight = false;
        this.batch = null;
        wrote = true;
        this.writtenCount += batch.length;
        this.settle(batch.length);
        this.safely(() => this.hooks.onWritten?.(batch.length));
      } catch (err) {
        this.inFlight = false;
        this.batchFailures += 1;
        const attempt = this.batchFailures;
        this.safely(() => this.hooks.onError?.(err, attempt));
        if (attempt >= this.opts.maxRetries || this.stopped) {
          this.batch = null;
          this.drop(batch.length, "write_failed", true);
        } else {
          await this.sleep(this.backoffMs(attempt));
        }
      }
    }
  }

  private backoffMs(failures: number): number {
    const full = Math.min(MAX_BACKOFF_MS, this.opts.retryBaseMs * 2 ** (failures - 1));
    // Jitter spreads out several gateway processes retrying one recovering database.
    return full * (0.5 + Math.random() * 0.5);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.backoff = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      // Idle retries must not keep a process alive, unless flush()/close() waits.
      if (this.waiters.length === 0) timer.unref();
      this.backoff = { timer, wake };
    });
  }

  private take(n: number): unknown[] {
    const rows = this.queue.slice(this.head, this.head + n);
    this.head += n;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return rows;
  }

  /** `accepted`: the rows were counted in `accepted`, so flush() waiters must hear of them. */
  private drop(n: number, reason: DropReason, accepted = false): void {
    this.droppedCount += n;
    if (accepted) this.settle(n);
    this.safely(() => this.hooks.onDropped?.(n, reason));
  }

  private settle(n: number): void {
    this.settled += n;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.target <= this.settled);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target > this.settled);
    for (const waiter of ready) waiter.resolve();
  }

  // Hooks are observers (metrics, logs): one that throws must not stop the writer.
  private safely(call: () => void): void {
    try {
      call();
    } catch {
      // Nothing sensible to do with an observer's own failure.
    }
  }
}
