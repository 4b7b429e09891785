/**
 * Errors caught where nothing else would catch them: the bookkeeping after
 * an answer (metrics, spans, redaction, the log row), observers and
 * background jobs. Each is counted in `liaison_internal_errors_total{site}`
 * and logged at most once per interval per site, so a bug hit by every
 * request neither ends the process nor floods the log.
 */
import type { Logger } from "./logger.js";

export interface InternalErrorsOptions {
  /** Counts every error (the Prometheus counter). */
  count?: (site: string) => void;
  logger?: Pick<Logger, "error">;
  /** Default 10 s. */
  intervalMs?: number;
  now?: () => number;
}

export class InternalErrors {
  readonly #count: (site: string) => void;
  readonly #logger: Pick<Logger, "error"> | undefined;
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** Per site: when it was last logged, and how many were counted since. */
  readonly #sites = new Map<string, { loggedAt: number; unlogged: number }>();

  constructor(options: InternalErrorsOptions = {}) {
    this.#count = options.count ?? (() => {});
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Never throws. */
  report(site: string, err: unknown): void {
    try {
      this.#count(site);
      const now = this.#now();
      const seen = this.#sites.get(site);
      if (seen && now - seen.loggedAt < this.#intervalMs) {
        seen.unlogged++;
        return;
      }
      const suppressed = seen?.unlogged ?? 0;
      this.#sites.set(site, { loggedAt: now, unlogged: 0 });
      this.#logger?.error({ site, err: describe(err), ...(suppressed ? { suppressed } : {}) }, "internal error caught; the gateway keeps serving");
    } catch {
      // The reporter itself failing (a broken logger) must not become the next uncaught error.
    }
  }

  /** Runs `fn`, reporting (not throwing) whatever it throws. */
  guard(site: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.report(site, err);
    }
  }
}

/** The error's name, message and the top of its stack: enough to find the bug, small enough for one log line. */
function describe(err: unknown): { name?: string; message: string; stack?: string } {
  if (err instanceof Error) {
    return { name: err.name, message: err.message.slice(0, 500), ...(err.stack ? { stack: err.stack.split("\n").slice(0, 6).join("\n") } : {}) };
  }
  return { message: String(err).slice(0, 500) };
}
