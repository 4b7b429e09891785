/**
 * What keys or teams have spent in their budget's current period, from the
 * request log (GET /admin/usage grouped by key or team): one query per
 * period in use (daily, weekly, monthly, total), at most four.
 */
import { useEffect, useState } from "react";
import { api } from "./api/client";
import type { Limits, UsageRow } from "./api/types";
import { periodStart, type BudgetPeriod } from "./lib/budget";

export function useSpend(records: (Limits & { id: string })[] | undefined, by: "key" | "team"): Map<string, number> | undefined {
  const [spend, setSpend] = useState<Map<string, number>>();
  const periods = [...new Set((records ?? []).filter((r) => r.budget_usd !== null).map((r) => r.budget_period ?? "total"))].sort().join(",");
  useEffect(() => {
    if (!records) return;
    const ctrl = new AbortController();
    const now = Date.now();
    const wanted = periods === "" ? [] : (periods.split(",") as BudgetPeriod[]);
    Promise.all(wanted.map(async (p) => {
      const since = periodStart(p, now);
      const rows = await api<{ data: UsageRow[] }>(`/admin/usage?group_by=${by}${since ? `&since=${encodeURIComponent(since)}` : ""}`, { signal: ctrl.signal });
      return [p, rows.data] as const;
    })).then((answers) => {
      const byPeriod = new Map(answers);
      const out = new Map<string, number>();
      for (const r of records) {
        if (r.budget_usd === null) continue;
        const row = byPeriod.get(r.budget_period ?? "total")?.find((u) => u.group === r.id);
        out.set(r.id, row?.cost_usd ?? 0);
      }
      setSpend(out);
    }, () => {
      // Spend is extra: without it the bar shows the budget alone.
    });
    return () => ctrl.abort();
  }, [records, periods, by]);
  return spend;
}
