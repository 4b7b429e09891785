/**
 * Limits counted by this process alone: the default without Redis, and the
 * fallback of the Redis gate when Redis is down under `fail: open`.
 * Synchronous inside, so concurrent admissions are exact.
 *
 * As the fallback it takes two more settings: `share` (each limit becomes
 * its share, `redis.degraded_share`) and `baseline`, counts it does not own
 * but must add to its own: the last shared window the Redis gate saw and
 * the slots of its requests admitted through Redis that are still running.
 */
import {
  distinctById, limitOf, wholeTokens,
  type Admission, type LimitKind, type QuotaGate, type QuotaSubject, type Refused,
} from "./limits.js";
import {
  WINDOW_MS, emptyWindow, fits, roll, settleTokens, waitMs, type WindowState,
} from "../shared-state/sliding-window.js";
import { rateLimitHeaders, retryAfterSeconds, type WindowView } from "./rate-limit-headers.js";

export interface MemoryQuotaGateSettings {
  now?: () => number;
  /** Subjects idle for two minutes are forgotten beyond this many. Default 100,000. */
  maxSubjects?: number;
  /** Every limit becomes floor(limit × share), at least 1. Default 1: the limits as given. */
  share?: number;
  /** Counts made elsewhere, added to this gate's own on every check and header (never changed by it). */
  baseline?: (subjectId: string, idx: number) => Baseline | undefined;
}

export interface Baseline {
  /** Already moved on to window `idx`. */
  window?: WindowState;
  /** Parallel slots held outside this gate. */
  inFlight?: number;
}

interface Checked {
  subject: QuotaSubject;
  rpm: number | undefined;
  tpm: number | undefined;
  parallel: number | undefined;
  s: WindowState | undefined;
  base: WindowState | undefined;
  baseInFlight: number;
}

export class MemoryQuotaGate implements QuotaGate {
  readonly #now: () => number;
  readonly #maxSubjects: number;
  readonly #share: number;
  readonly #baseline: MemoryQuotaGateSettings["baseline"];
  readonly #windows = new Map<string, WindowState>();
  readonly #inFlight = new Map<string, number>();

  constructor(settings: MemoryQuotaGateSettings = {}) {
    this.#now = settings.now ?? Date.now;
    this.#maxSubjects = settings.maxSubjects ?? 100_000;
    const share = settings.share ?? 1;
    // More than 1 would admit past the limit; 0 or less would refuse everything: neither is a share.
    this.#share = Number.isFinite(share) && share > 0 && share < 1 ? share : 1;
    this.#baseline = settings.baseline;
  }

  async admit(subjects: readonly QuotaSubject[], estimatedTokens: number): Promise<Admission> {
    return this.admitNow(subjects, estimatedTokens);
  }

  /** admit() without the promise (the Redis gate's fail-open path uses it). */
  admitNow(subjects: readonly QuotaSubject[], estimatedTokens: number): Admission {
    const now = this.#now();
    const idx = Math.floor(now / WINDOW_MS);
    const elapsedMs = now - idx * WINDOW_MS;
    const tokens = wholeTokens(estimatedTokens);
    const checked: Checked[] = distinctById(subjects).map((subject) => {
      const rpm = this.#limit(subject.limits.rpm);
      const tpm = this.#limit(subject.limits.tpm);
      const parallel = this.#limit(subject.limits.maxParallel);
      let s: WindowState | undefined;
      const limited = rpm !== undefined || tpm !== undefined;
      if (limited) {
        s = this.#windows.get(subject.id) ?? this.#create(subject.id, idx);
        roll(s, idx);
      }
      const base = limited || parallel !== undefined ? this.#baseline?.(subject.id, idx) : undefined;
      return { subject, rpm, tpm, parallel, s, base: limited ? base?.window : undefined, baseInFlight: base?.inFlight ?? 0 };
    });

    // Check every subject before touching any: all or nothing.
    for (const c of checked) {
      const refusal = this.#check(c, tokens, elapsedMs, checked);
      if (refusal) return refusal;
    }
    for (const c of checked) {
      if (c.s) {
        c.s.r += 1;
        c.s.t += tokens;
      }
      if (c.parallel !== undefined) this.#inFlight.set(c.subject.id, (this.#inFlight.get(c.subject.id) ?? 0) + 1);
    }
    const headers = rateLimitHeaders(views(checked, elapsedMs));
    let released = false;
    return {
      ok: true,
      headers,
      release: (actualTokens: number) => {
        if (released) return;
        released = true;
        this.#release(checked, idx, wholeTokens(actualTokens) - tokens);
      },
    };
  }

  /** Current in-flight count of a subject (for tests and metrics). */
  inFlight(subjectId: string): number {
    return this.#inFlight.get(subjectId) ?? 0;
  }

  async close(): Promise<void> {
    this.#windows.clear();
    this.#inFlight.clear();
  }

  #check(c: Checked, tokens: number, elapsedMs: number, all: Checked[]): Refused | undefined {
    const refuse = (limit: LimitKind, limitValue: number, requested: number, wait: number): Refused => ({
      ok: false, subject: c.subject.id, limit, limitValue, requested,
      retryAfterSeconds: retryAfterSeconds(wait),
      headers: rateLimitHeaders(views(all, elapsedMs)),
    });
    const s = counts(c);
    if (s && c.rpm !== undefined && !fits(s.pr, s.r, elapsedMs, c.rpm, 1)) {
      return refuse("rpm", c.rpm, 1, waitMs(s.pr, s.r, elapsedMs, c.rpm, 1));
    }
    if (s && c.tpm !== undefined && !fits(s.pt, s.t, elapsedMs, c.tpm, tokens)) {
      return refuse("tpm", c.tpm, tokens, waitMs(s.pt, s.t, elapsedMs, c.tpm, tokens));
    }
    if (c.parallel !== undefined && (this.#inFlight.get(c.subject.id) ?? 0) + c.baseInFlight + 1 > c.parallel) {
      // No way to know when a slot frees: a second is what clients back off by anyway.
      return refuse("parallel", c.parallel, 1, 1_000);
    }
    return undefined;
  }

  #release(checked: Checked[], reservedIn: number, delta: number): void {
    const idx = Math.floor(this.#now() / WINDOW_MS);
    for (const c of checked) {
      if (c.s && delta !== 0) {
        // The same object unless the subject was pruned meanwhile, in which case there is nothing to settle.
        const s = this.#windows.get(c.subject.id);
        if (s) {
          roll(s, idx);
          settleTokens(s, reservedIn, delta);
        }
      }
      if (c.parallel !== undefined) {
        const n = (this.#inFlight.get(c.subject.id) ?? 0) - 1;
        if (n > 0) this.#inFlight.set(c.subject.id, n);
        else this.#inFlight.delete(c.subject.id);
      }
    }
  }

  #limit(n: number | undefined): number | undefined {
    const limit = limitOf(n);
    return limit === undefined || this.#share === 1 ? limit : Math.max(1, Math.floor(limit * this.#share));
  }

  #create(id: string, idx: number): WindowState {
    if (this.#windows.size >= this.#maxSubjects) {
      for (const [k, s] of this.#windows) if (s.w < idx - 1) this.#windows.delete(k);
    }
    const s = emptyWindow(idx);
    this.#windows.set(id, s);
    return s;
  }
}

/** This gate's own counts plus the baseline's: what the limits are checked against. */
function counts(c: Checked): WindowState | undefined {
  const s = c.s;
  const b = c.base;
  if (!s || !b) return s;
  return { w: s.w, r: s.r + b.r, t: s.t + b.t, pr: s.pr + b.pr, pt: s.pt + b.pt };
}

function views(checked: readonly Checked[], elapsedMs: number): WindowView[] {
  const out: WindowView[] = [];
  for (const c of checked) {
    const s = counts(c);
    if (s) out.push({ rpm: c.rpm, tpm: c.tpm, s, elapsedMs });
  }
  return out;
}
