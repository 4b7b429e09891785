/**
 * When a budget's current period began, as the gateway counts it
 * (docs/keys-and-budgets.md: periods are UTC; weeks start on Monday), so
 * the spend shown against a budget is the spend of the same period.
 */

export type BudgetPeriod = "daily" | "weekly" | "monthly" | "total";

/** The period's start (ISO), or null for `total`, which never resets. */
export function periodStart(period: BudgetPeriod | null, now: number): string | null {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (period) {
    case "daily":
      return new Date(day).toISOString();
    case "weekly":
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      return new Date(day - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString();
    case "monthly":
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString();
    default:
      return null;
  }
}

/** How full a budget is, 0–1 (more than 1 when overspent); null without a budget. */
export function budgetShare(spent: number, budget: number | null): number | null {
  if (budget === null) return null;
  if (budget === 0) return spent > 0 ? Infinity : 1;
  return spent / budget;
}
