/**
 * Budget periods in UTC, whatever the server's time zone: a day starts at
 * 00:00 UTC, a week on Monday 00:00 UTC (ISO 8601), a month on the 1st at
 * 00:00 UTC; `total` never resets. UTC because several instances (and the
 * people reading an invoice) must agree on when a period ends, and a local
 * time zone would make days 23 or 25 hours long twice a year.
 */
import type { SpendPeriod } from "../../store/spend/types.js";

export type BudgetPeriod = SpendPeriod;

/** The start of `total`: one fixed period since the epoch. */
export const TOTAL_START = "1970-01-01T00:00:00.000Z";

export interface PeriodWindow {
  period: BudgetPeriod;
  /** ISO-8601 UTC. */
  start: string;
  startMs: number;
  /** ISO-8601 UTC of the next period's start; null for `total`. */
  end: string | null;
  endMs: number | null;
}

export function periodWindow(period: BudgetPeriod, nowMs: number): PeriodWindow {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  let start: number;
  let end: number;
  switch (period) {
    case "daily":
      start = Date.UTC(y, m, day);
      end = Date.UTC(y, m, day + 1);
      break;
    case "weekly": {
      const sinceMonday = (d.getUTCDay() + 6) % 7; // getUTCDay: 0 = Sunday
      start = Date.UTC(y, m, day - sinceMonday);
      end = Date.UTC(y, m, day - sinceMonday + 7);
      break;
    }
    case "monthly":
      start = Date.UTC(y, m, 1);
      end = Date.UTC(y, m + 1, 1);
      break;
    case "total":
      return { period, start: TOTAL_START, startMs: 0, end: null, endMs: null };
  }
  return { period, start: new Date(start).toISOString(), startMs: start, end: new Date(end).toISOString(), endMs: end };
}

/** Every period's current start: what a starting instance loads from the spend store. */
export function currentStarts(nowMs: number): Record<BudgetPeriod, string> {
  return {
    daily: periodWindow("daily", nowMs).start,
    weekly: periodWindow("weekly", nowMs).start,
    monthly: periodWindow("monthly", nowMs).start,
    total: TOTAL_START,
  };
}
