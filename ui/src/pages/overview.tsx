/**
 * Overview: traffic, errors, latency, tokens, spend and the cache over a
 * range (1 h by the minute, 24 h and 7 d by the hour, 30 d by the day),
 * from GET /admin/usage, refreshed every 15 s while auto-refresh is on.
 */
import { useEffect, useMemo, useState } from "react";
import type { Me } from "../lib/access";
import { buildSeries, isRangeId, RANGE_IDS, RANGES, rangeQuery, totals, type RangeId } from "../lib/ranges";
import { formatInt, formatMs, formatPct, formatUsd, ratio } from "../lib/format";
import { useApi } from "../hooks";
import { Link, navigate, useLocation } from "../router";
import type { UsageRow } from "../api/types";
import { TimeChart } from "../components/chart";
import { RangePicker } from "../components/range-picker";
import { DataTable, type Column } from "../components/data-table";
import { Loaded } from "../components/states";
import { PageHeader } from "../components/bits";

const REFRESH_MS = 15_000;

const peak = (values: (number | null)[]): number => values.reduce<number>((m, v) => (v !== null && v > m ? v : m), 0);

export function OverviewPage(_props: { me: Me }) {
  const { query } = useLocation();
  const range: RangeId = isRangeId(query.get("range")) ? (query.get("range") as RangeId) : "24h";
  const [auto, setAuto] = useState(true);
  // The query's `since` moves with each refresh; `now` is fixed per load so the series lines up with it.
  const [now, setNow] = useState(() => Date.now());
  const path = `/admin/usage?${rangeQuery(range, now)}`;
  const usage = useApi<{ data: UsageRow[] }>(path);
  const byModel = useApi<{ data: UsageRow[] }>(`/admin/usage?group_by=model&since=${encodeURIComponent(new Date(now - RANGES[range].ms).toISOString())}`);

  useEffect(() => {
    if (!auto) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") setNow(Date.now());
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [auto]);

  return (
    <>
      <PageHeader title="Overview">
        <RangePicker ids={RANGE_IDS} value={range} name="range" onChange={(id) => { navigate(`/?range=${id}`, true); setNow(Date.now()); }} />
        <label className="inline">
          <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Auto-refresh
        </label>
      </PageHeader>
      <Loaded state={usage} what="usage">
        {(u) => <OverviewBody rows={u.data} range={range} now={now} />}
      </Loaded>
      <section aria-labelledby="by-model">
        <h2 id="by-model">By model</h2>
        <Loaded state={byModel} what="usage by model">
          {(u) => <ModelTable rows={u.data} />}
        </Loaded>
      </section>
    </>
  );
}

function OverviewBody({ rows, range, now }: { rows: UsageRow[]; range: RangeId; now: number }) {
  const s = useMemo(() => buildSeries(rows, range, now), [rows, range, now]);
  const t = totals(rows, range);
  const phrase = RANGES[range].phrase;
  const tiles: [string, string][] = [
    ["Requests", formatInt(t.requests)],
    ["Requests per minute", t.perMinute < 10 ? t.perMinute.toFixed(2) : formatInt(t.perMinute)],
    ["Error rate", formatPct(ratio(t.errors, t.requests))],
    ["Tokens", formatInt(t.tokens)],
    ["Spend", formatUsd(t.cost)],
    ["Cache hit rate", formatPct(ratio(t.cacheHits, t.requests))],
    ["Saved by the cache", formatUsd(t.saved)],
  ];
  const traffic = useMemo(() => [
    { label: "Requests/min", values: s.requestsPerMin, color: "--series-1" },
    { label: "Errors/min", values: s.errorsPerMin, color: "--series-bad" },
  ], [s]);
  const latency = useMemo(() => [
    { label: "p50", values: s.p50, color: "--series-1" },
    { label: "p95", values: s.p95, color: "--series-2" },
  ], [s]);
  const tokens = useMemo(() => [
    { label: "Prompt", values: s.promptTokens, color: "--series-1" },
    { label: "Completion", values: s.completionTokens, color: "--series-2" },
  ], [s]);
  const spend = useMemo(() => [
    { label: "Spend", values: s.cost, color: "--series-1" },
    { label: "Saved by cache", values: s.saved, color: "--series-good" },
  ], [s]);
  return (
    <>
      <p className="muted small" role="status">Over {phrase}, updated {new Date(now).toLocaleTimeString()}.</p>
      <ul className="tiles" aria-label="Totals">
        {tiles.map(([k, v]) => (
          <li key={k} className="tile"><span className="tile-label">{k}</span><span className="tile-value">{v}</span></li>
        ))}
      </ul>
      {t.requests === 0 && (
        <p className="callout">No requests in {phrase}. Send one — from the <Link to="/playground">Playground</Link>, or any OpenAI client pointed at this gateway's <code>/v1</code> — and it shows here within seconds. A wider range may show older traffic.</p>
      )}
      <div className="charts">
        <TimeChart title="Requests per minute" t={s.t} series={traffic} format={(v) => (v < 10 ? v.toFixed(1) : String(Math.round(v)))}
          summary={`Requests per minute over ${phrase}: ${formatInt(t.requests)} requests, peak ${peak(s.requestsPerMin).toFixed(1)} per minute, ${formatInt(t.errors)} errors.`} />
        <TimeChart title="Latency (p50, p95)" t={s.t} series={latency} format={(v) => formatMs(v)}
          summary={`Latency over ${phrase}: highest p95 ${formatMs(peak(s.p95))}.`} />
        <TimeChart title="Tokens" t={s.t} series={tokens} format={(v) => formatInt(v)}
          summary={`Tokens over ${phrase}: ${formatInt(t.tokens)} in all.`} />
        <TimeChart title="Spend and cache savings" t={s.t} series={spend} format={(v) => formatUsd(v)}
          summary={`Spend over ${phrase}: ${formatUsd(t.cost)}; the cache saved ${formatUsd(t.saved)}.`} />
      </div>
    </>
  );
}

const modelColumns: Column<UsageRow>[] = [
  { accessorKey: "group", header: "Model", cell: (c) => (c.getValue() as string | null) ?? "(none)" },
  { accessorKey: "requests", header: "Requests", cell: (c) => formatInt(c.getValue() as number) },
  { id: "error_rate", accessorFn: (r) => ratio(r.errors, r.requests) ?? 0, header: "Error rate", cell: (c) => formatPct(c.getValue() as number) },
  { accessorKey: "p50_ms", header: "p50", cell: (c) => formatMs(c.getValue() as number) },
  { accessorKey: "p95_ms", header: "p95", cell: (c) => formatMs(c.getValue() as number) },
  { id: "tokens", accessorFn: (r) => r.prompt_tokens + r.completion_tokens, header: "Tokens", cell: (c) => formatInt(c.getValue() as number) },
  { accessorKey: "cost_usd", header: "Spend", cell: (c) => formatUsd(c.getValue() as number) },
];

function ModelTable({ rows }: { rows: UsageRow[] }) {
  return <DataTable caption="Requests, latency and spend by model" columns={modelColumns} data={rows} rowKey={(r) => r.group ?? "(none)"}
    empty={<p className="muted">No model was called in this range.</p>} />;
}
