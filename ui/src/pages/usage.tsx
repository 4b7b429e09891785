/**
 * Usage: cost and tokens by model, provider, key, team or day (and by
 * prompt once the gateway has prompts), over a range, from GET
 * /admin/usage; the same rows as CSV.
 */
import { useMemo } from "react";
import type { KeyRecord, TeamRecord, UsageRow } from "../api/types";
import { managesKeys, type Me } from "../lib/access";
import { toCsv } from "../lib/csv";
import { formatInt, formatMs, formatPct, formatUsd, ratio } from "../lib/format";
import { groupTime } from "../lib/ranges";
import { useApi } from "../hooks";
import { navigate, useLocation } from "../router";
import { TimeChart } from "../components/chart";
import { DataTable, type Column } from "../components/data-table";
import { Loaded } from "../components/states";
import { PageHeader } from "../components/bits";

const GROUPS = { model: "Model", provider: "Provider", key: "Key", team: "Team", prompt: "Prompt", day: "Day", hour: "Hour" } as const;
type Group = keyof typeof GROUPS;
const SPANS = { "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days", all: "All time" } as const;
type Span = keyof typeof SPANS;

type Row = UsageRow & { label: string; share: number };

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function UsagePage({ me }: { me: Me }) {
  const { query } = useLocation();
  const groups = (Object.keys(GROUPS) as Group[]).filter((g) => g !== "prompt" || me.features?.includes("prompts"));
  const group: Group = groups.includes(query.get("group_by") as Group) ? (query.get("group_by") as Group) : "model";
  const span: Span = (query.get("since") ?? "30d") in SPANS ? ((query.get("since") ?? "30d") as Span) : "30d";
  const teamId = query.get("team_id");
  const params = new URLSearchParams({ group_by: group });
  if (span !== "all") params.set("since", span);
  if (teamId) params.set("team_id", teamId);
  const usage = useApi<{ data: UsageRow[] }>(`/admin/usage?${params.toString()}`);
  const canNameKeys = managesKeys(me) && (me.features?.includes("keys") ?? false);
  const keys = useApi<{ data: KeyRecord[] }>(canNameKeys && group === "key" ? "/admin/keys" : null);
  const teams = useApi<{ data: TeamRecord[] }>(canNameKeys && group === "team" ? "/admin/teams" : null);

  const go = (next: Record<string, string | null>): void => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(next)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    navigate(`/usage?${q.toString()}`, true);
  };

  const names = useMemo(() => new Map<string, string>([
    ...(keys.data?.data ?? []).map((k) => [k.id, k.name] as [string, string]),
    ...(teams.data?.data ?? []).map((t) => [t.id, t.name] as [string, string]),
  ]), [keys.data, teams.data]);

  return (
    <>
      <PageHeader title="Usage" />
      <form className="filters" aria-label="Usage options" onSubmit={(e) => e.preventDefault()}>
        <label>Group by
          <select value={group} onChange={(e) => go({ group_by: e.target.value })}>
            {groups.map((g) => <option key={g} value={g}>{GROUPS[g]}</option>)}
          </select>
        </label>
        <label>Range
          <select value={span} onChange={(e) => go({ since: e.target.value })}>
            {(Object.keys(SPANS) as Span[]).map((s) => <option key={s} value={s}>{SPANS[s]}</option>)}
          </select>
        </label>
        {teamId && <p className="inline">Team <code>{teamId}</code> only. <button type="button" onClick={() => go({ team_id: null })}>Show all teams</button></p>}
      </form>
      <Loaded state={usage} what="usage">
        {(u) => <UsageBody rows={u.data} group={group} names={names} file={`liaison-usage-by-${group}-${span}.csv`} />}
      </Loaded>
    </>
  );
}

function UsageBody({ rows, group, names, file }: { rows: UsageRow[]; group: Group; names: Map<string, string>; file: string }) {
  const total = rows.reduce((s, r) => s + r.cost_usd, 0);
  const data: Row[] = rows.map((r) => ({ ...r, label: r.group === null ? "(none)" : names.get(r.group) ?? r.group, share: ratio(r.cost_usd, total) ?? 0 }));
  const timed = group === "day" || group === "hour";
  const series = useMemo(() => [
    { label: "Spend", values: rows.map((r) => r.cost_usd), color: "--series-1" },
  ], [rows]);
  const t = useMemo(() => rows.map((r) => groupTime(r.group ?? "", group === "day" ? "day" : "hour") / 1000), [rows, group]);

  const columns = useMemo((): Column<Row>[] => [
    { accessorKey: "label", header: GROUPS[group], cell: (c) => (group === "key" || group === "team") && c.row.original.group ? <span title={c.row.original.group}>{c.getValue() as string}</span> : (c.getValue() as string) },
    { accessorKey: "requests", header: "Requests", cell: (c) => formatInt(c.getValue() as number) },
    { accessorKey: "errors", header: "Errors", cell: (c) => formatInt(c.getValue() as number) },
    { accessorKey: "prompt_tokens", header: "Prompt tokens", cell: (c) => formatInt(c.getValue() as number) },
    { accessorKey: "completion_tokens", header: "Completion tokens", cell: (c) => formatInt(c.getValue() as number) },
    { accessorKey: "cost_usd", header: "Cost", cell: (c) => formatUsd(c.getValue() as number) },
    {
      accessorKey: "share", header: "Share of cost",
      cell: (c) => <span className="share"><span className="bar ok" aria-hidden="true"><span style={{ width: `${(c.getValue() as number) * 100}%` }} /></span>{formatPct(c.getValue() as number, 0)}</span>,
    },
    { accessorKey: "cache_hits", header: "Cache hits", cell: (c) => formatInt(c.getValue() as number | undefined) },
    { accessorKey: "p50_ms", header: "p50", cell: (c) => formatMs(c.getValue() as number) },
    { accessorKey: "p95_ms", header: "p95", cell: (c) => formatMs(c.getValue() as number) },
  ], [group]);

  const csv = (): void => download(file, toCsv(
    ["group", "name", "requests", "errors", "prompt_tokens", "completion_tokens", "cost_usd", "cache_hits", "cache_saved_usd", "p50_ms", "p95_ms"],
    data.map((r) => [r.group, r.label, r.requests, r.errors, r.prompt_tokens, r.completion_tokens, r.cost_usd, r.cache_hits ?? 0, r.cache_saved_usd ?? 0, r.p50_ms, r.p95_ms]),
  ));

  return (
    <>
      <div className="section-header">
        <p>Total cost <strong>{formatUsd(total)}</strong> over {formatInt(rows.reduce((s, r) => s + r.requests, 0))} requests.</p>
        <button type="button" onClick={csv} disabled={rows.length === 0}>Export CSV</button>
      </div>
      {timed && rows.length > 0 && <TimeChart title="Spend" t={t} series={series} format={(v) => formatUsd(v)} summary={`Spend by ${group}: ${formatUsd(total)} in all over ${rows.length} ${group}s.`} />}
      <DataTable caption={`Usage by ${GROUPS[group].toLowerCase()}`} columns={columns} data={data} rowKey={(r) => r.group ?? "(none)"}
        initialSort={timed ? [] : [{ id: "cost_usd", desc: true }]}
        empty={<p className="muted">No requests in this range. Widen the range, or send traffic through the gateway first.</p>} />
    </>
  );
}
