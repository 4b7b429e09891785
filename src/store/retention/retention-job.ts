/**
 * Runs retention on a timer: rows older than rowsMaxAgeDays are deleted,
 * bodies older than bodiesMaxAgeDays are set to null. Runs never overlap,
 * the timer never keeps the process alive, and failures go to onError: a
 * retention hiccup must not take the gateway down.
 */
import type { LogRetention } from "./types.js";

const DAY_MS = 86_400_000;

// Late rows (the LogWriter flushes seconds after created_at, longer while the
// database is down) may land behind the previous run's body cut-off; the
// next run looks this far back past it to catch them.
const STRIP_OVERLAP_MS = 6 * 3_600_000;

export interface RetentionResult {
  deleted: number;
  stripped: number;
}

export interface RetentionJobOptions {
  retention: LogRetention;
  /** Delete rows older than this many days; unset keeps rows forever. */
  rowsMaxAgeDays?: number;
  /** Null the bodies of rows older than this many days; unset keeps them as long as the row. */
  bodiesMaxAgeDays?: number;
  /** Time between the end of one run and the start of the next; default 1 h. */
  intervalMs?: number;
  /** Rows per statement; default per engine (DEFAULT_RETENTION_BATCH). */
  batchSize?: number;
  /** A failed phase; the other phase still runs and the job keeps its schedule. */
  onError?: (err: unknown, phase: "delete" | "strip" | "report") => void;
  /** After every run, e.g. to log what went. */
  onRun?: (result: RetentionResult) => void;
  /** The clock, for tests. */
  now?: () => number;
}

export const RETENTION_JOB_DEFAULTS = { intervalMs: 3_600_000 } as const;

function days(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of days, got ${value}`);
  return value;
}

export class RetentionJob {
  readonly #options: RetentionJobOptions;
  readonly #rowsDays: number | undefined;
  readonly #bodiesDays: number | undefined;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RetentionResult> | undefined;
  #abort = new AbortController();
  #started = false;
  /** The previous run's body cut-off: later runs only walk rows that aged since. */
  #strippedUpTo: number | undefined;

  constructor(options: RetentionJobOptions) {
    this.#options = options;
    this.#rowsDays = days(options.rowsMaxAgeDays, "rowsMaxAgeDays");
    this.#bodiesDays = days(options.bodiesMaxAgeDays, "bodiesMaxAgeDays");
    this.#intervalMs = options.intervalMs ?? RETENTION_JOB_DEFAULTS.intervalMs;
    if (!Number.isFinite(this.#intervalMs) || this.#intervalMs <= 0) throw new RangeError(`intervalMs must be positive, got ${this.#intervalMs}`);
    this.#now = options.now ?? Date.now;
  }

  /** Whether there is anything to do (both ages unset: start() is a no-op). */
  get enabled(): boolean {
    return this.#rowsDays !== undefined || this.#bodiesDays !== undefined;
  }

  /** One pass now; if a pass is already running, its result. Never rejects. */
  run(): Promise<RetentionResult> {
    return (this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    }));
  }

  /** Runs once soon, then every intervalMs after the previous run ends. */
  start(): void {
    if (this.#started || !this.enabled) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Clears the timer and stops a running pass at its next batch boundary. */
  async stop(): Promise<void> {
    this.#started = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running;
    // A later run() or start() begins unaborted.
    this.#abort = new AbortController();
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.run().then(() => {
        if (this.#started) this.#schedule(this.#intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }

  async #pass(): Promise<RetentionResult> {
    const { retention, batchSize, onError, onRun } = this.#options;
    const signal = this.#abort.signal;
    const now = this.#now();
    const result: RetentionResult = { deleted: 0, stripped: 0 };
    const rowsCutoff = this.#rowsDays === undefined ? undefined : now - this.#rowsDays * DAY_MS;

    if (rowsCutoff !== undefined) {
      try {
        result.deleted = await retention.deleteOlderThan({ before: new Date(rowsCutoff).toISOString(), batchSize, signal });
      } catch (err) {
        onError?.(err, "delete");
      }
    }

    if (this.#bodiesDays !== undefined && !signal.aborted) {
      const bodiesCutoff = now - this.#bodiesDays * DAY_MS;
      // Rows older than the rows cut-off are gone (or going): no need to walk them.
      const floors = [rowsCutoff, this.#strippedUpTo === undefined ? undefined : this.#strippedUpTo - STRIP_OVERLAP_MS]
        .filter((t): t is number => t !== undefined);
      const since = floors.length === 0 ? undefined : Math.max(...floors);
      if (since === undefined || since < bodiesCutoff) {
        try {
          result.stripped = await retention.stripBodiesOlderThan({
            before: new Date(bodiesCutoff).toISOString(),
            ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
            batchSize,
            signal,
          });
          if (!signal.aborted) this.#strippedUpTo = bodiesCutoff;
        } catch (err) {
          onError?.(err, "strip");
        }
      }
    }

    try {
      onRun?.(result);
    } catch (err) {
      onError?.(err, "report");
    }
    return result;
  }
}
