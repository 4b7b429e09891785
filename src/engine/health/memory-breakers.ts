/**
 * Circuit breakers for one process. Per target:
 *
 *   closed ──(N consecutive failures, or error rate > threshold
 *             with ≥ minRequests in the window)──▶ open
 *   open ──(cooldown elapsed; checked lazily, no timers)──▶ half_open
 *   half_open: up to halfOpenProbes callers are let through at once;
 *     a success ──▶ closed (window and counters reset)
 *     a failure ──▶ open again, with the cooldown doubled (capped)
 *
 * Outcomes that arrive while open (requests already in flight when it
 * tripped) are counted in the window but move nothing.
 */
import { ErrorWindow } from "./error-window.js";
import {
  type BreakerTuning, type StateChangeListener,
  DEFAULT_PROBE_LEASE_MS, cooldownFor, maxCooldownMs, notify, shouldTrip,
} from "./breaker-policy.js";
import type { BreakerOptions, CircuitBreakers, CircuitState, TargetHealthSnapshot } from "./types.js";

export interface MemoryBreakersSettings extends BreakerTuning {
  options: BreakerOptions;
  /** Clock, injectable for tests. */
  now?: () => number;
  /** Called on every state change, for logs and metrics. */
  onChange?: StateChangeListener;
  /**
   * Targets are dropped once healthy and idle when more than this many are
   * tracked, so client-chosen `provider/model` names cannot grow memory
   * without bound. Default 10,000.
   */
  maxKeys?: number;
}

interface Circuit {
  state: CircuitState;
  consecutive: number;
  window: ErrorWindow;
  /** Trips since the circuit was last closed: drives the cooldown growth. */
  trips: number;
  /** Open: when the cooldown ends. */
  retryAt: number;
  /** Half-open: when each probe in flight stops holding its slot. */
  probes: number[];
}

export function closedSnapshot(key: string): TargetHealthSnapshot {
  return { key, state: "closed", errorRate: 0, requests: 0, consecutiveFailures: 0, retryAt: null };
}

export class MemoryCircuitBreakers implements CircuitBreakers {
  readonly #options: BreakerOptions;
  readonly #now: () => number;
  readonly #onChange: StateChangeListener | undefined;
  readonly #maxCooldownMs: number;
  readonly #probeLeaseMs: number;
  readonly #maxKeys: number;
  readonly #circuits = new Map<string, Circuit>();

  constructor(settings: MemoryBreakersSettings) {
    this.#options = settings.options;
    this.#now = settings.now ?? Date.now;
    this.#onChange = settings.onChange;
    this.#maxCooldownMs = maxCooldownMs(settings.options, settings);
    this.#probeLeaseMs = settings.probeLeaseMs ?? DEFAULT_PROBE_LEASE_MS;
    this.#maxKeys = settings.maxKeys ?? 10_000;
  }

  allow(key: string): boolean {
    const c = this.#circuits.get(key);
    if (!c) return true;
    const now = this.#now();
    this.#advance(key, c, now);
    if (c.state === "closed") return true;
    if (c.state === "open") return false;
    c.probes = c.probes.filter((until) => until > now);
    if (c.probes.length >= this.#options.halfOpenProbes) return false;
    c.probes.push(now + this.#probeLeaseMs);
    return true;
  }

  record(key: string, ok: boolean): void {
    const now = this.#now();
    const c = this.#circuits.get(key) ?? this.#create(key, now);
    this.#advance(key, c, now);
    c.window.add(now, ok);
    c.consecutive = ok ? 0 : c.consecutive + 1;
    if (c.state === "closed") {
      if (!ok && shouldTrip(this.#options, c.consecutive, c.window.counts(now))) this.#open(key, c, now, 1);
    } else if (c.state === "half_open") {
      if (ok) this.#close(key, c);
      else this.#open(key, c, now, c.trips + 1);
    }
  }

  snapshot(key: string): TargetHealthSnapshot {
    const c = this.#circuits.get(key);
    if (!c) return closedSnapshot(key);
    const now = this.#now();
    this.#advance(key, c, now);
    const { requests, failures } = c.window.counts(now);
    return {
      key,
      state: c.state,
      errorRate: requests === 0 ? 0 : failures / requests,
      requests,
      consecutiveFailures: c.consecutive,
      retryAt: c.state === "open" ? c.retryAt : null,
    };
  }

  /** Keys currently tracked (targets that have reported at least once). */
  keys(): string[] {
    return [...this.#circuits.keys()];
  }

  async close(): Promise<void> {
    this.#circuits.clear();
  }

  #create(key: string, now: number): Circuit {
    if (this.#circuits.size >= this.#maxKeys) this.#prune(now);
    const c: Circuit = { state: "closed", consecutive: 0, window: new ErrorWindow(this.#options.windowMs), trips: 0, retryAt: 0, probes: [] };
    this.#circuits.set(key, c);
    return c;
  }

  /** Forgets circuits a fresh one would equal: closed, no failure streak, nothing in the window. */
  #prune(now: number): void {
    for (const [key, c] of this.#circuits) {
      if (c.state === "closed" && c.consecutive === 0 && c.window.counts(now).requests === 0) this.#circuits.delete(key);
    }
  }

  #advance(key: string, c: Circuit, now: number): void {
    if (c.state === "open" && now >= c.retryAt) this.#move(key, c, "half_open");
  }

  #open(key: string, c: Circuit, now: number, trips: number): void {
    c.trips = trips;
    c.retryAt = now + cooldownFor(this.#options, trips, this.#maxCooldownMs);
    c.probes = [];
    this.#move(key, c, "open");
  }

  #close(key: string, c: Circuit): void {
    c.trips = 0;
    c.consecutive = 0;
    c.probes = [];
    c.window.reset();
    this.#move(key, c, "closed");
  }

  #move(key: string, c: Circuit, to: CircuitState): void {
    const from = c.state;
    c.state = to;
    notify(this.#onChange, key, from, to);
  }
}
