/**
 * What a LogWriter is told: its hooks, bounds and timings, and their
 * defaults. Apart from the writer so that the spool, which says why it
 * refuses a row in the writer's DropReason terms, need not import it.
 */

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
  /** A row refused alone, the store answering, with nothing to show the store takes writes (see LogParts.judge): dropped after this long, so it cannot hold the queue and /ready forever. */
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

/** The numbers a writer runs on: each one set; maxRetries is Infinity when unset. */
export type LogWriterSettings = Required<Omit<LogWriterOptions, "hooks" | "spool" | "maxRetries">> & { maxRetries: number };

/** Defaults for what is unset or not a finite number; the rest floored and raised to its minimum. */
export function logWriterSettings(options: LogWriterOptions): LogWriterSettings {
  const pick = (key: keyof typeof LOG_WRITER_DEFAULTS | "maxRetries", min: number, fallback: number): number => {
    const value = options[key];
    return value === undefined || !Number.isFinite(value) ? fallback : Math.max(min, Math.floor(value));
  };
  const d = LOG_WRITER_DEFAULTS;
  return {
    maxQueue: pick("maxQueue", 1, d.maxQueue),
    batchSize: pick("batchSize", 1, d.batchSize),
    flushIntervalMs: pick("flushIntervalMs", 0, d.flushIntervalMs),
    maxRetries: pick("maxRetries", 1, Infinity),
    retryBaseMs: pick("retryBaseMs", 0, d.retryBaseMs),
    poisonMs: pick("poisonMs", 0, d.poisonMs),
    closeTimeoutMs: pick("closeTimeoutMs", 0, d.closeTimeoutMs),
  };
}
