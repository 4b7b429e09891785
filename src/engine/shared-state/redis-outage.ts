/**
 * Tracks whether Redis is usable for one component, so that an outage is
 * reported at once, then at most every `repeatMs`, not once per request,
 * and so that a hung Redis is tried at most every `retryMs` instead of
 * making every request wait for a timeout.
 *
 * Health's breakers and limiter and quotas' gate and budget guard each keep
 * one; it lives here so that neither of those folders imports the other.
 */
export interface RedisOutageSettings {
  onError?: (err: unknown) => void;
  /** Called once when Redis answers again after an outage. */
  onRecover?: () => void;
  now?: () => number;
  retryMs?: number;
  repeatMs?: number;
}

export class RedisOutage {
  readonly #settings: RedisOutageSettings;
  readonly #now: () => number;
  #down = false;
  #nextTry = 0;
  #lastReport = -Infinity;

  constructor(settings: RedisOutageSettings) {
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
  }

  get down(): boolean {
    return this.#down;
  }

  /** Whether to send this command to Redis: always when up, once per `retryMs` when down. */
  shouldTry(): boolean {
    if (!this.#down) return true;
    const now = this.#now();
    if (now < this.#nextTry) return false;
    this.#nextTry = now + (this.#settings.retryMs ?? 1_000);
    return true;
  }

  failed(err: unknown): void {
    const now = this.#now();
    if (!this.#down) this.#nextTry = now + (this.#settings.retryMs ?? 1_000);
    this.#down = true;
    // Also when a flapping connection ends and starts outages in quick succession: one report per interval.
    if (now - this.#lastReport < (this.#settings.repeatMs ?? 10_000)) return;
    this.#lastReport = now;
    try {
      this.#settings.onError?.(err);
    } catch {
      // Reporting must not fail the request that noticed the outage.
    }
  }

  /** Returns true when this success ends an outage. */
  succeeded(): boolean {
    if (!this.#down) return false;
    this.#down = false;
    try {
      this.#settings.onRecover?.();
    } catch {
      // As above.
    }
    return true;
  }
}
