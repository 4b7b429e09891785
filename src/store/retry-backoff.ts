/**
 * The LogWriter's wait between attempts while the store refuses: from
 * `baseMs`, doubling per failed attempt up to MAX_BACKOFF_MS, with jitter.
 * A wait can be cut short (close) and made to hold the process open
 * (someone waits for flush()); idle, it does not.
 */

/** Low: a store that comes back is written to within seconds. */
const MAX_BACKOFF_MS = 3_000;

export class RetryBackoff {
  readonly #baseMs: number;
  #streak = 0;
  #pending: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(baseMs: number) {
    this.#baseMs = baseMs;
  }

  /** Waits out the next backoff. `keepAlive`: someone waits for the writer, so the timer holds the process open. */
  wait(keepAlive: boolean): Promise<void> {
    const full = Math.min(MAX_BACKOFF_MS, this.#baseMs * 2 ** this.#streak++);
    // Jitter spreads out several gateway processes retrying one recovering database.
    const ms = full * (0.5 + Math.random() * 0.5);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#pending = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (!keepAlive) timer.unref();
      this.#pending = { timer, wake };
    });
  }

  /** A write succeeded: the next backoff starts from `baseMs` again. */
  reset(): void {
    this.#streak = 0;
  }

  /** Someone waits for the writer now: the pending wait must hold the process open. */
  ref(): void {
    this.#pending?.timer.ref();
  }

  /** Ends the pending wait now. */
  wake(): void {
    this.#pending?.wake();
  }
}
