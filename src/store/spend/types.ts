/**
 * Spend per subject and budget period, kept for the record:
 * the request path counts spend in memory or Redis; this table is what a
 * restarted instance without Redis starts from, and what several instances
 * on one PostgreSQL share as history.
 */

/** Budget periods; their boundaries (UTC, weeks from Monday) are computed in engine/quotas/budget-period.ts. */
export type SpendPeriod = "daily" | "weekly" | "monthly" | "total";

/** One row of the `spend` table. */
export interface SpendRow {
  /** e.g. `key:k_123`, `team:t_9`. */
  subject: string;
  period: SpendPeriod;
  /** ISO-8601 UTC start of the period (`1970-01-01T00:00:00.000Z` for `total`). */
  period_start: string;
  usd: number;
  /** ISO-8601 UTC, last time spend was added. */
  updated_at: string;
}

/** Spend to add to a row (created at 0 when missing). */
export interface SpendDelta {
  subject: string;
  period: SpendPeriod;
  period_start: string;
  usd: number;
}

export interface SpendStore {
  /**
   * Adds each delta to its row in one transaction (insert, or add to the
   * existing usd). Not idempotent: the caller (SpendWriter) sends each
   * delta once and merges a failed batch into the next.
   */
  addSpend(deltas: readonly SpendDelta[], now?: Date): Promise<void>;
  /** Rows of the given periods (period → its current period_start): what a starting instance loads. */
  current(starts: Partial<Record<SpendPeriod, string>>): Promise<SpendRow[]>;
  /** Rows of one subject, newest period first (admin views, tests). */
  forSubject(subject: string): Promise<SpendRow[]>;
  close(): Promise<void>;
}
