/**
 * Request-log retention: old rows deleted, bodies dropped sooner than rows.
 * One small interface with a SQL and a memory implementation, driven on a
 * timer by RetentionJob.
 */

export interface RetentionOptions {
  /** ISO-8601: rows with created_at strictly before it are affected. */
  before: string;
  /** Rows per statement; default 500 on SQLite, 5000 on PostgreSQL (DEFAULT_RETENTION_BATCH). Small batches keep each lock short. */
  batchSize?: number;
  /** Stops between batches (RetentionJob.stop()); the rows done so far stay done. */
  signal?: AbortSignal;
}

export interface StripOptions extends RetentionOptions {
  /**
   * ISO-8601, inclusive: skip rows older than this. The job passes the
   * previous run's cut-off, so each run only walks the rows that aged since.
   */
  since?: string;
}

export interface LogRetention {
  /** Deletes request_logs rows older than `before`; resolves to how many went. */
  deleteOlderThan(options: RetentionOptions): Promise<number>;
  /** Sets request_body, response_body and attempt_log to null on rows older than `before`; resolves to how many rows had something to strip. */
  stripBodiesOlderThan(options: StripOptions): Promise<number>;
}

/**
 * Rows per statement unless told. SQLite statements run synchronously on the
 * event loop (better-sqlite3): deleting costs ~90 µs a row at a million rows
 * (random ids, seven indexes), so 500 rows ≈ 45 ms of stall per batch, where
 * 5000 would be ~0.4 s. PostgreSQL runs them elsewhere: bigger is cheaper.
 */
export const DEFAULT_RETENTION_BATCH = { sqlite: 500, postgres: 5000, memory: 5000 } as const;

export function batchSizeOf(options: RetentionOptions, engine: keyof typeof DEFAULT_RETENTION_BATCH): number {
  const n = options.batchSize ?? DEFAULT_RETENTION_BATCH[engine];
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`batchSize must be a positive whole number, got ${n}`);
  return n;
}

/** Lets the request path (and the SQLite writer thread's lock wait) in between two batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
