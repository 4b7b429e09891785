/**
 * Takes log rows off the request path: `enqueue` only pushes onto an array
 * (past maxQueue rows in memory, hands the row to the spool on disk); a
 * single background loop writes them in batches. While the store is down a
 * batch is retried with backoff, without limit; only a row the store
 * refuses on its own is dropped. A log row is never worth failing or
 * slowing a request for, and never worth losing without a trace: every
 * row dropped is reported through the hooks.
 */
import { LogSpool, type SpoolSegment } from "./log-spool.js";
import type { LogRow, LogSink, Store } from "./types.js";

/** `closed`: rows arriving after close(), or left in memory by its deadline with nowhere to go; `spool_failed`: the spool could not write (disk full, permission) or read them back. */
export type DropReason = "queue_full" | "write_failed" | "closed" | "spool_failed";

export interface LogWriterHooks {
  onWritten?(n: number): void;
  onDropped?(n: number, reason: DropReason): void;
  /** Every failed write attempt; `attempt` counts from 1 for each batch (and each part of a split one). */
  onError?(err: unknown, attempt: number): void;
}

export interface LogWriterOptions {
  /** Rows held in memory (queued, being written or retried); past it they go to the spool, or are dropped without one. */
  maxQueue?: number;
  /** Rows per insertLogs call; reaching it triggers a write at once. */
  batchSize?: number;
  /** How long a row may wait for a batch to fill. */
  flushIntervalMs?: number;
  /** Drop a batch after this many failed attempts, even while the store is down (the bounded behaviour of old). Unset: no limit. */
  maxRetries?: number;
  /** Backoff before the 2nd attempt; doubles per failed attempt (capped at 3 s), with jitter. */
  retryBaseMs?: number;
  /** A row refused alone, the store answering, with nothing to show the store takes writes (see refused()): dropped after this long, so it cannot hold the queue and /ready forever. */
  poisonMs?: number;
  /** How long close() keeps trying to write what is queued. */
  closeTimeoutMs?: number;
  /** Where rows wait on disk once the memory queue is full (and, at close, what could not be written). */
  spool?: { dir: string; maxBytes: number };
  hooks?: LogWriterHooks;
}

export const LOG_WRITER_DEFAULTS = {
  maxQueue: 10_000,
  batchSize: 500,
  flushIntervalMs: 200,
  retryBaseMs: 200,
  poisonMs: 30_000,
  closeTimeoutMs: 5000,
} as const;

/** Low: a store that comes back is written to within seconds. */
const MAX_BACKOFF_MS = 3_000;
/** Refusals of a whole batch (the store answering) before it is split: rides out deadlocks, lock waits, a dropped connection. */
const SPLIT_AFTER = 3;
const PING_TIMEOUT_MS = 2_000;

/** A row not yet encoded: it can still go to the spool, which a store's own encoding (SQLite's) cannot. */
class RawRow {
  constructor(readonly row: LogRow, readonly from?: SpoolSegment) {}
}

/** A batch being written, or a part of a refused one. */
interface Part {
  rows: unknown[]; // as the store's sink encoded them
  from: (SpoolSegment | undefined)[] | undefined; // rows read back from the spool: their segment
  attempts: number;
  refusals: number; // while the store answered ping
  split: boolean; // from a refused part: refused again, split at once
  aloneSince?: number;
  gone?: boolean; // spooled by close() while its write was in flight
}

export class LogWriter {
  private readonly store: Store;
  private readonly sink: LogSink<unknown>;
  /** A store without a sink takes LogRows in any order: a refused row can let later ones go first. */
  private readonly reorderable: boolean;
  private readonly spool: LogSpool | undefined;
  private readonly opts: Required<Omit<LogWriterOptions, "hooks" | "spool" | "maxRetries">> & { maxRetries: number };
  private readonly hooks: LogWriterHooks;

  // FIFO as array + head index: O(1) amortised push and take, no shifting.
  /** Rows as the sink encoded them, then RawRows (encoded when taken: the sink's order is encoding order). */
  private queue: unknown[] = [];
  private head = 0;
  private rawCount = 0;
  /** Older than the queue; parts[0] is written next. */
  private parts: Part[] = [];
  private partRows = 0;
  private inFlight: Part | undefined;

  /** The last write failed for the store's sake (not a bad row's). */
  private troubled = false;
  /** The last write that tells about the store succeeded: a row refused right after is bad. */
  private lastOk = false;
  private lastTimedDrop = 0;
  private failStreak = 0;

  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private timerImmediate = false;
  private backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;

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
    const pick = (key: keyof typeof LOG_WRITER_DEFAULTS | "maxRetries", min: number, fallback: number): number => {
      const value = options[key];
      return value === undefined || !Number.isFinite(value) ? fallback : Math.max(min, Math.floor(value));
    };
    const d = LOG_WRITER_DEFAULTS;
    this.opts = {
      maxQueue: pick("maxQueue", 1, d.maxQueue),
      batchSize: pick("batchSize", 1, d.batchSize),
      flushIntervalMs: pick("flushIntervalMs", 0, d.flushIntervalMs),
      maxRetries: pick("maxRetries", 1, Infinity),
      retryBaseMs: pick("retryBaseMs", 0, d.retryBaseMs),
      poisonMs: pick("poisonMs", 0, d.poisonMs),
      closeTimeoutMs: pick("closeTimeoutMs", 0, d.closeTimeoutMs),
    };
    if (options.spool && options.spool.maxBytes > 0) {
      this.spool = new LogSpool({ ...options.spool, onLost: (n, offered) => this.drop(n, "spool_failed", offered ? n : 0) });
      // What an earlier process left is replayed.
      if (this.spool.bytes > 0) this.schedule(0);
    }
  }

  /** Rows in memory: queued, being written, or waiting for a retry. */
  get depth(): number {
    return this.queue.length - this.head + this.partRows;
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
    this.backoff?.timer.ref();
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
    this.backoff?.wake();
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
    for (const part of [...this.parts]) {
      // A write in flight settles on its own, unless spooled (should it still succeed, the store ignores the ids on replay).
      if (part === this.inFlight && !spoolable) continue;
      part.gone = true;
      this.removePart(part);
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
      let part = this.parts[0];
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
    const part: Part = { rows, from: from.some((f) => f) ? from : undefined, attempts: 0, refusals: 0, split: false };
    this.parts.push(part);
    this.partRows += rows.length;
    return part;
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
    this.removePart(part);
    this.troubled = false;
    this.lastOk = true;
    this.failStreak = 0;
    this.settle(this.leave(part.from, n));
    return true;
  }

  /**
   * A write failed. While the store does not answer ping, the part waits
   * and is retried. While it answers, a part refused SPLIT_AFTER times (or
   * a part of one, refused again) is split in two, down to single rows. A
   * row refused alone right after a successful write is bad: dropped.
   * Otherwise it lets the next rows go first where the store allows (their
   * success convicts it), and is dropped after poisonMs of refusals.
   */
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
    if (!answers) {
      part.aloneSince = undefined;
      return this.pause();
    }
    const isolated = part.split || ++part.refusals >= SPLIT_AFTER;
    if (isolated && part.rows.length === 1) {
      const now = Date.now();
      part.aloneSince ??= now;
      // At most one row per poisonMs goes for time alone: a store refusing everything loses no more.
      const timeUp = now - Math.max(part.aloneSince, this.lastTimedDrop) >= this.opts.poisonMs;
      if (!this.lastOk && timeUp) this.lastTimedDrop = now;
      if (this.lastOk || timeUp) {
        // The next verdict needs a success of its own: should the store have started refusing everything, one row is lost, not a run.
        this.lastOk = false;
        return this.dropPart(part);
      }
      const i = this.parts.indexOf(part);
      if (this.reorderable && (i < this.parts.length - 1 || this.takePart() !== undefined)) {
        this.parts[i] = this.parts[i + 1]!;
        this.parts[i + 1] = part;
      }
      return this.pause();
    }
    if (!isolated) return this.pause();
    this.troubled = true;
    this.lastOk = false;
    const mid = Math.ceil(part.rows.length / 2);
    const half = (a: number, b: number): Part => ({ rows: part.rows.slice(a, b), from: part.from?.slice(a, b), attempts: 0, refusals: 0, split: true });
    this.parts.splice(this.parts.indexOf(part), 1, half(0, mid), half(mid, part.rows.length));
  }

  private async storeAnswers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)).unref());
    const ping = this.store.ping().then(() => true, () => false);
    return Promise.race([ping, timeout]).finally(() => clearTimeout(timer));
  }

  private pause(): Promise<void> {
    this.troubled = true;
    this.lastOk = false;
    const full = Math.min(MAX_BACKOFF_MS, this.opts.retryBaseMs * 2 ** this.failStreak++);
    // Jitter spreads out several gateway processes retrying one recovering database.
    return this.sleep(full * (0.5 + Math.random() * 0.5));
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

  private removePart(part: Part): void {
    const i = this.parts.indexOf(part);
    if (i < 0) return;
    this.parts.splice(i, 1);
    this.partRows -= part.rows.length;
  }

  private dropPart(part: Part): void {
    this.removePart(part);
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
