/**
 * Live per-target statistics, fed by the engine from every
 * attempt and read by the strategies on every request. In-process, O(1) per
 * call, no timers: decay is computed from timestamps when a record is
 * touched or read, and memory is bounded (LRU over keys, a fixed array of
 * classes per key).
 */
import { classIndex, REQUEST_CLASS_COUNT } from "./request-class.js";
import type { RequestClass, TargetObservation, TargetStats } from "./types.js";

export interface TargetStatsOptions {
  /**
   * EWMA weight of the newest latency / TTFT / cost sample. 0.2 ≈ the last
   * ~10 samples matter: fast enough to notice a target slowing down within
   * seconds at modest traffic, slow enough that one outlier moves it by 20%.
   */
  alpha?: number;
  /** Per-class success counts halve every this many ms, so a bad spell an hour ago stops counting. */
  halfLifeMs?: number;
  /**
   * Cap on the effective (decayed) sample count per class. Under heavy
   * traffic time decay alone would let thousands of old samples outweigh
   * new ones; with the cap every new observation weighs about 1/window,
   * so a target that recovers is noticed within a few dozen attempts.
   */
  window?: number;
  /** Targets tracked; the least recently used is forgotten beyond this. */
  maxKeys?: number;
  /** Injected for tests. */
  now?: () => number;
}

export const TARGET_STATS_DEFAULTS: Required<Omit<TargetStatsOptions, "now">> = {
  alpha: 0.2,
  halfLifeMs: 60_000,
  window: 20,
  maxKeys: 1_024,
};

interface ClassRecord {
  /** Decayed successes and attempts. */
  ok: number;
  n: number;
  /** When ok/n were last decayed. */
  at: number;
  /** Latency EWMA for this class (TTFT for stream classes when known); 0 = no sample yet. */
  ewmaMs: number;
  /** Cost EWMA (USD); 0 = none reported yet (or free). */
  costUsd: number;
}

interface KeyRecord {
  inFlight: number;
  ewmaMs: number;
  ttftEwmaMs: number | undefined;
  samples: number;
  classes: (ClassRecord | undefined)[];
}

export class LiveTargetStats implements TargetStats {
  readonly #alpha: number;
  readonly #halfLifeMs: number;
  readonly #window: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** Map insertion order is the LRU order: touching a key moves it to the end. */
  readonly #keys = new Map<string, KeyRecord>();

  constructor(options: TargetStatsOptions = {}) {
    this.#alpha = options.alpha ?? TARGET_STATS_DEFAULTS.alpha;
    this.#halfLifeMs = options.halfLifeMs ?? TARGET_STATS_DEFAULTS.halfLifeMs;
    this.#window = options.window ?? TARGET_STATS_DEFAULTS.window;
    this.#maxKeys = options.maxKeys ?? TARGET_STATS_DEFAULTS.maxKeys;
    this.#now = options.now ?? Date.now;
  }

  /** An attempt to `key` begins. Pair with exactly one `finish` or `release`. */
  start(key: string): void {
    this.#touch(key).inFlight++;
  }

  /**
   * An attempt ends without saying anything about the target (the client
   * went away, the request itself was invalid): only the in-flight count
   * changes, so a client's 400s do not make a healthy target look bad.
   */
  release(key: string): void {
    const r = this.#touch(key);
    // Clamped: the key may have been evicted and re-created mid-flight.
    r.inFlight = Math.max(0, r.inFlight - 1);
  }

  /** An attempt ends with an outcome that reflects on the target. */
  finish(key: string, cls: RequestClass, obs: TargetObservation): void {
    const r = this.#touch(key);
    r.inFlight = Math.max(0, r.inFlight - 1);

    // Latency counts successes, and failures only when slower than usual:
    // a timeout should hurt, but an instant 500 must not make a broken
    // target look like the fastest one.
    if (this.#countsAsLatency(obs, r.samples > 0 ? r.ewmaMs : undefined)) {
      r.ewmaMs = r.samples === 0 ? obs.latencyMs : this.#ewma(r.ewmaMs, obs.latencyMs);
      r.samples++;
    }
    if (obs.ok && obs.ttftMs !== undefined) {
      r.ttftEwmaMs = r.ttftEwmaMs === undefined ? obs.ttftMs : this.#ewma(r.ttftEwmaMs, obs.ttftMs);
    }

    const i = classIndex(cls);
    const now = this.#now();
    let c = r.classes[i];
    if (!c) r.classes[i] = c = { ok: 0, n: 0, at: now, ewmaMs: 0, costUsd: 0 };
    const f = this.#decay(c.at, now);
    c.ok = c.ok * f + (obs.ok ? 1 : 0);
    c.n = c.n * f + 1;
    c.at = now;
    if (c.n > this.#window) {
      c.ok *= this.#window / c.n;
      c.n = this.#window;
    }
    // Streaming clients wait for the first token, and total stream time
    // grows with output length, so TTFT is the comparable number there.
    const sample: TargetObservation = cls.stream && obs.ttftMs !== undefined ? { ...obs, latencyMs: obs.ttftMs } : obs;
    if (this.#countsAsLatency(sample, c.ewmaMs > 0 ? c.ewmaMs : undefined)) {
      c.ewmaMs = c.ewmaMs > 0 ? this.#ewma(c.ewmaMs, sample.latencyMs) : sample.latencyMs;
    }
    if (obs.ok && obs.costUsd !== undefined && obs.costUsd > 0) {
      c.costUsd = c.costUsd > 0 ? this.#ewma(c.costUsd, obs.costUsd) : obs.costUsd;
    }
  }

  inFlight(key: string): number {
    return this.#keys.get(key)?.inFlight ?? 0;
  }

  latency(key: string): { ewmaMs: number; ttftEwmaMs: number | undefined; samples: number } | undefined {
    const r = this.#keys.get(key);
    if (!r || r.samples === 0) return undefined;
    return { ewmaMs: r.ewmaMs, ttftEwmaMs: r.ttftEwmaMs, samples: r.samples };
  }

  /**
   * `successRate` is raw (decayed successes / decayed attempts); `samples`
   * is the effective, decayed and fractional attempt count (≤ window), so a
   * reader can smooth with its own prior: successes = successRate × samples.
   * `ewmaMs` and `costUsd` are 0 until a sample arrives.
   */
  classStats(key: string, cls: RequestClass): { successRate: number; ewmaMs: number; costUsd: number; samples: number } | undefined {
    const c = this.#keys.get(key)?.classes[classIndex(cls)];
    if (!c || c.n === 0) return undefined;
    // Reads do not write back: decay scales ok and n alike, so only the sample count shrinks.
    const samples = c.n * this.#decay(c.at, this.#now());
    return { successRate: c.ok / c.n, ewmaMs: c.ewmaMs, costUsd: c.costUsd, samples };
  }

  #touch(key: string): KeyRecord {
    let r = this.#keys.get(key);
    if (r) {
      this.#keys.delete(key);
    } else {
      r = { inFlight: 0, ewmaMs: 0, ttftEwmaMs: undefined, samples: 0, classes: new Array<ClassRecord | undefined>(REQUEST_CLASS_COUNT) };
      if (this.#keys.size >= this.#maxKeys) {
        const oldest = this.#keys.keys().next();
        if (!oldest.done) this.#keys.delete(oldest.value);
      }
    }
    this.#keys.set(key, r);
    return r;
  }

  #countsAsLatency(obs: TargetObservation, current: number | undefined): boolean {
    return obs.ok || (current !== undefined && obs.latencyMs > current);
  }

  #ewma(prev: number, sample: number): number {
    return prev + this.#alpha * (sample - prev);
  }

  #decay(from: number, to: number): number {
    return to <= from ? 1 : Math.pow(0.5, (to - from) / this.#halfLifeMs);
  }
}
