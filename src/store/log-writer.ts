/**
 * Takes log rows off the request path: `enqueue` only pushes onto an array
 * (past maxQueue rows in memory, hands the row to the spool on disk); a
 * single background loop writes them in batches. While the store is down a
 * batch is retried with backoff, without limit; only a row the store
 * refuses on its own is dropped. A log row is never worth failing or
 * slowing a request for, and never worth losing without a trace: every
 * row dropped is reported through the hooks.
 */
import { LogParts, type Part } from "./log-parts.js";
import { LogSpool, type SpoolSegment } from "./log-spool.js";
import { logWriterSettings, type DropReason, type LogWriterOptions, type LogWriterHooks, type LogWriterSettings } from "./log-writer-options.js";
import { RetryBackoff } from "./retry-backoff.js";
import type { LogRow, LogSink, Store } from "./types.js";

// Re-exported: the writer's options are part of its API (src/store/index.ts, the tests).
export { LOG_WRITER_DEFAULTS, type DropReason, type LogWriterHooks, type LogWriterOptions } from "./log-writer-options.js";

const PING_TIMEOUT_MS = 2_000;

/** A row not yet encoded: it can still go to the spool, which a store's own encoding (SQLite's) cannot. */
class RawRow {
  constructor(readonly row: LogRow, readonly from?: SpoolSegment) {}
}

export class LogWriter {
  private readonly store: Store;
  private readonly sink: LogSink<unknown>;
  /** A store without a sink takes LogRows in any order: a refused row can let later ones go first. */
  private readonly reorderable: boolean;
  private readonly spool: LogSpool | undefined;
  private readonly opts: LogWriterSettings;
  private readonly hooks: LogWriterHooks;

  // FIFO as array + head index: O(1) amortised push and take, no shifting.
  /** Rows as the sink encoded them, then RawRows (encoded when taken: the sink's order is encoding order). */
  private queue: unknown[] = [];
  private head = 0;
  private rawCount = 0;
  /** Batches taken off the queue, being written or waiting for a retry: older than what is queued. */
  private readonly parts: LogParts;
  private inFlight: Part | undefined;

  /** The last write failed for the store's sake (not a bad row's). */
  private troubled = false;

  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timerImmediate = false;
  private readonly backoff: RetryBackoff;

  // Rows accepted, and rows that have left (written, dropped, or spooled by
  // close()): flush() waits for settled to reach what was accepted before it.
  private accepted = 0;
  private settled = 0;
  private waiters: { target: number; resolve: () => void }[] = [];

  private closing: Promise<void> | null = null;
  private stopped = false;
  private writtenCount = 0;
  private droppedCount = 0;

  constructor(store: Store, options: LogWriterOptions = {}) {
    this.store = store;
    const own = store.logSink?.();
    this.sink = own ?? { encode: (row) => row, write: (batch) => store.insertLogs(batch as LogRow[]) };
    this.reorderable = own === undefined;
    this.hooks = options.hooks ?? {};
    this.opts = logWriterSettings(options);
    this.parts = new LogParts(this.opts.poisonMs, this.reorderable);
    this.backoff = new RetryBackoff(this.opts.retryBaseMs);
    if (options.spool && options.spool.maxBytes > 0) {
      this.spool = new LogSpool({ ...options.spool, onLost: (n, offered) => this.drop(n, "spool_failed", offered ? n : 0) });
      // What an earlier process left is replayed.
      if (this.spool.bytes > 0) this.schedule(0);
    }
  }

  /** Rows in memory: queued, being written, or waiting for a retry. */
  get depth(): number {
    return this.queue.length - this.head + this.parts.rows;
  }

  /** False while rows wait because the store refuses them (a write failed, none succeeded since): /ready answers 503. */
  get writable(): boolean {
    return !this.troubled || (this.depth === 0 && this.spoolBytes === 0);
  }

  /** Bytes of rows waiting in the spool on disk. */
  get spoolBytes(): number {
    return this.spool?.bytes ?? 0;
  }

  get dropped(): number { return this.droppedCount; }
  get written(): number { return this.writtenCount; }

  /** Never throws, never waits: a row with nowhere to go (memory and spool full, or closed) is dropped and reported. */
  enqueue(row: LogRow): void {
    if (this.closing !== null) return this.drop(1, "closed");
    if (this.depth >= this.opts.maxQueue) {
      const refused = this.spool === undefined ? "queue_full" : this.spool.offer(row);
      if (refused !== undefined) return this.drop(1, refused);
    } else if (this.spool !== undefined && (this.troubled || this.rawCount > 0)) {
      this.queue.push(new RawRow(row));
      this.rawCount += 1;
    } else {
      try {
        this.queue.push(this.sink.encode(row));
      } catch {
        // A row the store cannot encode would fail its whole batch, every retry.
        return this.drop(1, "write_failed");
      }
    }
    this.accepted += 1;
    // A running loop takes the row in a full batch, or schedules it when its write ends.
    if (this.draining !== null) return;
    this.schedule(this.queue.length - this.head >= this.opts.batchSize ? 0 : this.opts.flushIntervalMs);
  }

  /** Resolves once every row accepted before the call is written, reported dropped, or spooled by close(). */
  flush(): Promise<void> {
    const target = this.accepted;
    if (this.settled >= target) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    // Someone is waiting now: a pending backoff must keep the process alive.
    this.backoff.ref();
    this.startDrain();
    return done;
  }

  /**
   * Stops accepting rows and writes what it can within closeTimeoutMs; what
   * is unwritten then goes to the spool, or is dropped and reported without
   * one (or room in it). Does not close the store; its owner does, after.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.clearTimer();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      // Deliberately ref'd: the process should wait for this bounded drain.
      new Promise<void>((resolve) => (deadline = setTimeout(resolve, this.opts.closeTimeoutMs))),
    ]);
    clearTimeout(deadline);
    this.stopped = true;
    this.evacuate();
    this.backoff.wake();
    await this.spool?.close();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** At close: rows still in memory go to the spool where they can; the rest are dropped. */
  private evacuate(): void {
    let settle = 0;
    const lost = { write_failed: 0, closed: 0 };
    // `entry` must be spoolable (a RawRow, or a LogRow of a store without a sink) unless `from` says it is spooled already.
    const out = (entry: unknown, from: SpoolSegment | undefined, reason: keyof typeof lost): void => {
      // Read back from the spool: still in its file, which stays until all rows read from it are written.
      if (from !== undefined) settle += from.foreign ? 0 : 1;
      else if (this.spool !== undefined && this.spool.offer(entry instanceof RawRow ? entry.row : (entry as LogRow)) === undefined) settle += 1;
      else lost[reason] += 1;
    };
    const spoolable = this.spool !== undefined && this.reorderable;
    for (const part of this.parts.all()) {
      // A write in flight settles on its own, unless spooled (should it still succeed, the store ignores the ids on replay).
      if (part === this.inFlight && !spoolable) continue;
      part.gone = true;
      this.parts.remove(part);
      part.rows.forEach((entry, i) => {
        const from = part.from?.[i];
        if (spoolable || from !== undefined) out(entry, from, "write_failed");
        else lost.write_failed += 1; // encoded by the store's sink: cannot be spooled
      });
    }
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i];
      if (entry instanceof RawRow || this.reorderable) out(entry, entry instanceof RawRow ? entry.from : undefined, "closed");
      else lost.closed += 1; // encoded by the store's sink: cannot be spooled
    }
    this.queue = [];
    this.head = 0;
    this.rawCount = 0;
    this.settle(settle);
    for (const reason of ["write_failed", "closed"] as const) this.drop(lost[reason], reason, lost[reason]);
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
      if (this.depth > 0 || this.spoolBytes > 0) this.schedule(this.opts.flushIntervalMs);
    });
  }

  /**
   * The only writer: one write in flight at a time, oldest rows first.
   * After a write, what arrived meanwhile goes at once only as a full batch
   * (or when flush()/close() waits, or the spool holds a backlog); a shorter
   * one waits out flushIntervalMs to fill. Writing every trickle at once made
   * transactions of a few dozen rows under load: SQLite rewrote the same
   * index pages for each, and the writer thread's CPU per row doubled.
   */
  private async drain(): Promise<void> {
    let wrote = false;
    while (!this.stopped) {
      await this.refill();
      if (this.stopped) return;
      let part = this.parts.first;
      if (part === undefined) {
        const queued = this.queue.length - this.head;
        if (queued === 0) return;
        if (queued < this.opts.batchSize && wrote && this.waiters.length === 0 && this.spoolBytes === 0) return;
        part = this.takePart();
        if (part === undefined) continue;
      }
      if (await this.attempt(part)) wrote = true;
    }
  }

  /** Moves rows from the spool into memory while there is room and the store takes rows (or memory is empty). */
  private async refill(): Promise<void> {
    const spool = this.spool;
    if (spool === undefined || spool.bytes === 0 || (this.troubled && this.depth > 0)) return;
    let room = Math.min(this.opts.maxQueue - this.depth, this.opts.batchSize);
    while (room > 0 && !this.stopped) {
      const got = await spool.take(room);
      if (got === undefined) return;
      room -= got.rows.length + got.bad;
      for (const row of got.rows) this.queue.push(new RawRow(row, got.from));
      this.rawCount += got.rows.length;
      if (got.bad === 0) continue;
      spool.release(got.from, got.bad);
      this.drop(got.bad, "spool_failed", got.from.foreign ? 0 : got.bad);
    }
  }

  /** The next batch from the queue as a new last part, RawRows encoded now (in order); undefined if none could be. */
  private takePart(): Part | undefined {
    const entries = this.take(Math.min(this.queue.length - this.head, this.opts.batchSize));
    const rows: unknown[] = [];
    const from: (SpoolSegment | undefined)[] = [];
    for (const entry of entries) {
      if (!(entry instanceof RawRow)) {
        rows.push(entry);
        from.push(undefined);
        continue;
      }
      this.rawCount -= 1;
      try {
        rows.push(this.sink.encode(entry.row));
        from.push(entry.from);
      } catch {
        this.drop(1, "write_failed", this.leave([entry.from]));
      }
    }
    if (rows.length === 0) return undefined;
    return this.parts.add(rows, from.some((f) => f) ? from : undefined);
  }

  private async attempt(part: Part): Promise<boolean> {
    this.inFlight = part;
    try {
      await this.sink.write(part.rows);
    } catch (err) {
      this.inFlight = undefined;
      if (!part.gone) await this.refused(part, err);
      return false;
    }
    this.inFlight = undefined;
    const n = part.rows.length;
    this.writtenCount += n;
    this.safely(() => this.hooks.onWritten?.(n));
    if (part.gone) return true;
    this.parts.written(part);
    this.troubled = false;
    this.backoff.reset();
    this.settle(this.leave(part.from, n));
    return true;
  }

  /** A write failed: the part is dropped, waits for a retry, or is split and retried at once (see LogParts). */
  private async refused(part: Part, err: unknown): Promise<void> {
    const attempt = ++part.attempts;
    this.safely(() => this.hooks.onError?.(err, attempt));
    if (this.stopped) return this.dropPart(part);
    if (attempt >= this.opts.maxRetries) {
      this.troubled = true;
      return this.dropPart(part);
    }
    const answers = Number.isFinite(this.opts.maxRetries) ? false : await this.storeAnswers();
    if (part.gone || this.stopped) return; // close() took it meanwhile
    switch (this.parts.judge(part, answers, () => this.takePart())) {
      case "drop":
        return this.dropPart(part);
      case "split":
        this.troubled = true;
        return;
      case "wait":
        return this.pause();
    }
  }

  private async storeAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)).unref());
    const ping = this.store.ping().then(() => true, () => false);
    return Promise.race([ping, timeout]).finally(() => clearTimeout(timer));
  }

  private pause(): Promise<void> {
    this.troubled = true;
    // Idle retries must not keep a process alive, unless flush()/close() waits.
    return this.backoff.wait(this.waiters.length > 0);
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

  private dropPart(part: Part): void {
    this.parts.remove(part);
    this.drop(part.rows.length, "write_failed", this.leave(part.from, part.rows.length));
  }

  /** Rows leave memory: their spool segments hear of it. Returns how many count for flush() (not an earlier process's rows). */
  private leave(from: (SpoolSegment | undefined)[] | undefined, n = 1): number {
    if (from === undefined) return n;
    let counted = 0;
    for (const seg of from) {
      if (seg !== undefined) this.spool?.release(seg, 1);
      counted += seg?.foreign ? 0 : 1;
    }
    return counted;
  }

  /** `settle`: how many of the rows were counted in `accepted`, so flush() waiters must hear of them. */
  private drop(n: number, reason: DropReason, settle = 0): void {
    if (n <= 0) return;
    this.droppedCount += n;
    this.settle(settle);
    this.safely(() => this.hooks.onDropped?.(n, reason));
  }

  private settle(n: number): void {
    this.settled += n;
    if (this.waiters.length === 0 || n === 0) return;
    const ready = this.waiters.filter((w) => w.target <= this.settled);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target > this.settled);
    for (const waiter of ready) waiter.resolve();
  }

  // Hooks are observers (metrics, logs): one that throws must not stop the writer.
  private safely(call: () => void): void {
    try { call(); } catch { /* nothing sensible to do with an observer's own failure */ }
  }
}
