/**
 * Routing (GET /admin/routing): each model routed by the learned router or
 * a cascade — its targets and quality setting, the share of calls per
 * target, the route scores' distribution and the newest decisions, each
 * linking to its log row — over 1 h, 24 h or 7 d, refreshed every 15 s.
 */
import { useMemo } from "react";
import type { RoutedModel, RoutingAnswer, RoutingDecision } from "../api/types";
import type { Me } from "../lib/access";
import { formatInt, formatPct, formatShortTime, shortId } from "../lib/format";
import { RANGES } from "../lib/ranges";
import { fellBack, isRoutingRange, qualityText, ROUTING_RANGES, routingPath, scoreSummary, type RoutingRange } from "../lib/routing";
import { useApi } from "../hooks";
import { Link, navigate, useLocation } from "../router";
import { Histogram } from "../components/histogram";
import { RangePicker } from "../components/range-picker";
import { DataTable, type Column } from "../components/data-table";
import { Empty, Loaded } from "../components/states";
import { Badge, Facts, PageHeader, StatusBadge } from "../components/bits";

const REFRESH_MS = 15_000;

type TargetShare = RoutedModel["targets"][number];

const targetColumns: Column<TargetShare>[] = [
  { accessorKey: "target", header: "Target", cell: (c) => <code>{c.getValue() as string}</code> },
  { accessorKey: "calls", header: "Calls", cell: (c) => formatInt(c.getValue() as number) },
  {
    accessorKey: "share", header: "Share",
    cell: (c) => {
      const share = c.getValue() as number;
      return <span className="share"><span>{formatPct(share)}</span><span className="bar" aria-hidden="true"><span style={{ width: `${Math.round(share * 100)}%` }} /></span></span>;
    },
  },
];

const decisionColumns: Column<RoutingDecision>[] = [
  { accessorKey: "created_at", header: "Time", cell: (c) => formatShortTime(c.getValue() as string) },
  {
    accessorKey: "id", header: "Request", enableSorting: false,
    cell: (c) => { const id = c.getValue() as string; return <Link to={`/logs/${encodeURIComponent(id)}`} title={id} className="mono">{shortId(id)}</Link>; },
  },
  { accessorKey: "route_score", header: "Score", cell: (c) => { const v = c.getValue() as number | null; return v === null ? "—" : v.toFixed(3); } },
  { accessorKey: "route_target", header: "Chosen target", cell: (c) => { const v = c.getValue() as string | null; return v ? <code>{v}</code> : "—"; } },
  {
    accessorKey: "served", header: "Answered by",
    cell: (c) => { const d = c.row.original; return d.served ? <>{<code>{d.served}</code>}{fellBack(d) && <> <Badge kind="warn">fell back</Badge></>}</> : "—"; },
  },
  { accessorKey: "status", header: "Status", cell: (c) => <StatusBadge status={c.getValue() as number} /> },
  { accessorKey: "feedback_score", header: "Feedback", cell: (c) => { const v = c.getValue() as number | null; return v === null ? <span className="muted">none</span> : v.toFixed(2); } },
];

export function RoutingPage(_props: { me: Me }) {
  const { query } = useLocation();
  const range: RoutingRange = isRoutingRange(query.get("range")) ? (query.get("range") as RoutingRange) : "24h";
  const routing = useApi<RoutingAnswer>(routingPath(range), REFRESH_MS);
  return (
    <>
      <PageHeader title="Routing">
        <RangePicker ids={ROUTING_RANGES} value={range} name="routing-range" onChange={(id) => navigate(`/routing?range=${id}`, true)} />
      </PageHeader>
      <p className="muted small">Models routed by the learned router (<code>strategy: learned</code>) or a cascade, from the request log: which target each call went to and why. Refreshed every 15 s.</p>
      <Loaded state={routing} what="routing decisions">
        {(r) => r.models.length === 0
          ? (
            <Empty title="No model is routed by the learned router or a cascade">
              <p>Give a model two or more targets and <code>strategy: learned</code> with <code>router: {"{ file: ./router.json, quality: 0.95 }"}</code> (train the file with <code>liaison router train</code>), or <code>strategy: cascade</code>; then reload the config. See docs/routing.md.</p>
            </Empty>
          )
          : r.models.map((m) => <ModelRouting key={m.model} m={m} range={range} />)}
      </Loaded>
    </>
  );
}

function ModelRouting({ m, range }: { m: RoutedModel; range: RoutingRange }) {
  const edges = useMemo(() => [...m.scores.map((b) => b.bucket_low.toFixed(1)), (m.scores.at(-1)?.bucket_high ?? 1).toFixed(1)], [m.scores]);
  const counts = useMemo(() => m.scores.map((b) => b.count), [m.scores]);
  const phrase = RANGES[range].phrase;
  const scored = counts.some((c) => c > 0);
  const id = `routing-${m.model.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return (
    <section aria-labelledby={id} className="routed">
      <h2 id={id}>{m.model} <Badge kind="neutral">{m.strategy}</Badge></h2>
      <Facts items={[
        ["Targets", m.targets.map((t) => t.target).join(", ") || "—"],
        ["Quality", qualityText(m.strategy, m.quality)],
        ["Calls routed", `${formatInt(m.calls)} over ${phrase}`],
        ["Feedback", m.feedback.count === 0 ? "none yet (POST /v1/feedback)" : `${formatInt(m.feedback.count)} rated, mean ${m.feedback.mean?.toFixed(2) ?? "—"}`],
      ]} />
      {m.calls === 0 && (
        <p className="callout">No calls to <code>{m.model}</code> in {phrase}. Send one — from the <Link to="/playground">Playground</Link>, or any OpenAI client pointed at this gateway's <code>/v1</code> — or pick a longer range.</p>
      )}
      <div className="charts">
        <div>
          <h3>Share of calls per target</h3>
          <p className="muted small">{m.strategy === "cascade" ? "By the target that gave the answer." : "By the target the router chose."}</p>
          <DataTable caption={`Calls per target of ${m.model}`} columns={targetColumns} data={m.targets} rowKey={(t) => t.target} />
        </div>
        {scored
          ? <Histogram title="Route scores (higher: needs a stronger model)" edges={edges} values={counts} summary={scoreSummary(m.model, m.scores, range)} />
          : <div><h3>Route scores</h3><p className="muted">{m.strategy === "cascade" && m.quality === null ? "This cascade has no router, so its calls are not scored." : `No scored calls in ${phrase}.`}</p></div>}
      </div>
      <h3>Recent decisions</h3>
      <DataTable caption={`Recent routing decisions of ${m.model}`} columns={decisionColumns} data={m.recent} rowKey={(d) => d.id}
        empty={<p className="muted">No decisions in {phrase} yet.</p>} />
    </section>
  );
}
