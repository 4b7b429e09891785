/**
 * Budgets per subject per period. A request first reserves
 * its estimated cost on every budgeted subject (check), all or nothing, and
 * settles to its actual cost when it is over; spend is counted per period
 * (budget-period.ts) and reported through onSpend, off the request path,
 * to the spend store and the threshold alerts.
 *
 * A request is refused when a subject has already spent its budget, or when
 * its spend plus the reservations of requests in flight plus this request's
 * estimate would pass the budget. A budget of 0 refuses everything; no
 * budget (undefined) means no check and no tracking. A budget without a
 * period is `total` (never resets): a budget that renews itself should be
 * asked for, not assumed. Spend counts from the moment a subject has a
 * budget; the request log keeps the history from before.
 */
import type { SpendRow } from "../../store/spend/types.js";
import { periodWindow, type BudgetPeriod, type PeriodWindow } from "./budget-period.js";

export interface BudgetSubject {
  id: string;
  budgetUsd?: number;
  period?: BudgetPeriod;
}

export const DEFAULT_BUDGET_PERIOD: BudgetPeriod = "total";

export interface BudgetAllowed {
  ok: true;
  /**
   * Replaces this request's reservation with its actual cost (0 for a
   * request that failed before costing anything). Once; later calls do
   * nothing. Never throws, never waits.
   */
  settle(actualUsd: number): void;
}

export interface BudgetRefused {
  ok: false;
  /** `unavailable`: Redis could not be reached under `fail: closed` (answer 503). */
  reason: "budget" | "unavailable";
  subject: string | null;
  /** Spent in the period so far (requests in flight not included). */
  spentUsd: number;
  budgetUsd: number;
  period: BudgetPeriod | null;
  /** ISO-8601 UTC start of the next period; null for `total` (and `unavailable`). */
  resetsAt: string | null;
}

export type BudgetCheck = BudgetAllowed | BudgetRefused;

export interface BudgetGuard {
  /** Reserves `estimatedUsd` on every budgeted subject, or nothing. Never rejects. */
  check(subjects: readonly BudgetSubject[], estimatedUsd: number): Promise<BudgetCheck>;
  /** Adds spend that had no reservation (a cost known only afterwards). Off the hot path; never throws. */
  record(subjects: readonly BudgetSubject[], actualUsd: number): void;
  close(): Promise<void>;
}

/** Reported after spend was added to a subject's period (for the spend store and alerts). */
export interface SpendEvent {
  subject: string;
  period: BudgetPeriod;
  periodStart: string;
  periodEnd: string | null;
  /** What this request added. */
  addedUsd: number;
  /** The period's spend after it, as this instance knows it (with Redis: the shared total). */
  spentUsd: number;
  budgetUsd: number;
}

export interface BudgetGuardSettings {
  now?: () => number;
  onSpend?: (event: SpendEvent) => void;
  /** Spend already stored (SpendStore.current at start): where counting resumes. */
  baseline?: readonly SpendRow[];
}

/** A subject with a budget, in its current period. */
export interface Budgeted {
  id: string;
  budgetUsd: number;
  window: PeriodWindow;
  /** `<subject>|<period>|<start>`: one counter per subject and period. */
  key: string;
}

export function ledgerKey(subject: string, period: BudgetPeriod, start: string): string {
  return `${subject}|${period}|${start}`;
}

export function budgeted(subjects: readonly BudgetSubject[], nowMs: number): Budgeted[] {
  const out: Budgeted[] = [];
  const seen = new Set<string>();
  for (const s of subjects) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    if (s.budgetUsd === undefined || !Number.isFinite(s.budgetUsd)) continue;
    const window = periodWindow(s.period ?? DEFAULT_BUDGET_PERIOD, nowMs);
    out.push({ id: s.id, budgetUsd: Math.max(0, s.budgetUsd), window, key: ledgerKey(s.id, window.period, window.start) });
  }
  return out;
}

export function usd(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The refusal test both guards use (mirrored in the Redis script). */
export function overBudget(spent: number, reserved: number, estimate: number, budget: number): boolean {
  return spent >= budget || spent + reserved + estimate > budget;
}

export function refusal(b: Budgeted, spentUsd: number): BudgetRefused {
  return { ok: false, reason: "budget", subject: b.id, spentUsd, budgetUsd: b.budgetUsd, period: b.window.period, resetsAt: b.window.end };
}

export const ALLOWED_FREE: BudgetAllowed = Object.freeze({ ok: true as const, settle: () => {} });

/** Hooks are for storage and alerts: they must never break the request path. */
export function emitSpend(onSpend: ((e: SpendEvent) => void) | undefined, b: Budgeted, addedUsd: number, spentUsd: number): void {
  if (!onSpend) return;
  try {
    onSpend({ subject: b.id, period: b.window.period, periodStart: b.window.start, periodEnd: b.window.end, addedUsd, spentUsd, budgetUsd: b.budgetUsd });
  } catch {
    // A broken sink must not fail a request.
  }
}

interface Entry { spent: number; reserved: number; endMs: number | null }

const DAY_MS = 86_400_000;

/** Budgets counted by this process alone: the default without Redis, and the Redis guard's fail-open fallback. */
export class MemoryBudgetGuard implements BudgetGuard {
  readonly #now: () => number;
  readonly #onSpend: ((e: SpendEvent) => void) | undefined;
  readonly #entries = new Map<string, Entry>();
  #nextPrune = 0;

  constructor(settings: BudgetGuardSettings = {}) {
    this.#now = settings.now ?? Date.now;
    this.#onSpend = settings.onSpend;
    this.seed(settings.baseline ?? []);
  }

  /** Sets the spend of periods this guard has not counted yet (stored rows, or Redis's last answer). */
  seed(rows: readonly Pick<SpendRow, "subject" | "period" | "period_start" | "usd">[]): void {
    for (const row of rows) {
      const key = ledgerKey(row.subject, row.period, row.period_start);
      const e = this.#entries.get(key);
      if (e) e.spent = Math.max(e.spent, row.usd);
      else this.#entries.set(key, { spent: usd(row.usd), reserved: 0, endMs: periodWindow(row.period, Date.parse(row.period_start)).endMs });
    }
  }

  async check(subjects: readonly BudgetSubject[], estimatedUsd: number): Promise<BudgetCheck> {
    return this.checkNow(subjects, estimatedUsd);
  }

  checkNow(subjects: readonly BudgetSubject[], estimatedUsd: number): BudgetCheck {
    const now = this.#now();
    const list = budgeted(subjects, now);
    if (list.length === 0) return ALLOWED_FREE;
    this.#prune(now);
    const estimate = usd(estimatedUsd);
    const entries = list.map((b) => this.#entry(b));
    for (let i = 0; i < list.length; i++) {
      const e = entries[i]!;
      if (overBudget(e.spent, e.reserved, estimate, list[i]!.budgetUsd)) return refusal(list[i]!, e.spent);
    }
    for (const e of entries) e.reserved += estimate;
    let settled = false;
    return {
      ok: true,
      settle: (actualUsd: number) => {
        if (settled) return;
        settled = true;
        const actual = usd(actualUsd);
        list.forEach((b, i) => {
          const e = entries[i]!;
          e.reserved = Math.max(0, e.reserved - estimate);
          e.spent += actual;
          // The entry may have been pruned (a request that outlived its period by a day): still reported.
          emitSpend(this.#onSpend, b, actual, e.spent);
        });
      },
    };
  }

  record(subjects: readonly BudgetSubject[], actualUsd: number): void {
    const actual = usd(actualUsd);
    for (const b of budgeted(subjects, this.#now())) {
      const e = this.#entry(b);
      e.spent += actual;
      emitSpend(this.#onSpend, b, actual, e.spent);
    }
  }

  /** Spend of a subject's current period (tests, admin views). */
  spent(subject: BudgetSubject): number {
    const [b] = budgeted([subject], this.#now());
    return b ? (this.#entries.get(b.key)?.spent ?? 0) : 0;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  #entry(b: Budgeted): Entry {
    let e = this.#entries.get(b.key);
    if (!e) {
      e = { spent: 0, reserved: 0, endMs: b.window.endMs };
      this.#entries.set(b.key, e);
    }
    return e;
  }

  /** Past periods are dropped a day after they end (late settles still land in the meantime). */
  #prune(now: number): void {
    if (now < this.#nextPrune) return;
    this.#nextPrune = now + 60_000;
    for (const [k, e] of this.#entries) if (e.endMs !== null && e.endMs + DAY_MS < now) this.#entries.delete(k);
  }
}
