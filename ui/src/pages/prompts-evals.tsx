/**
 * A prompt's evaluations (GET /v1/prompts/{name}/evals, newest first): per
 * version its mean score with the 95 % interval (drawn as a bar), n, cost
 * and median latency, the winner and whether it wins beyond noise. The
 * reports are written by `liaison prompts eval` (and `optimize`).
 */
import { useState } from "react";
import type { EvalReport, EvalResult } from "../api/types";
import { formatInt, formatMs, formatTime, formatUsd } from "../lib/format";
import { verdictText } from "../lib/prompts";
import { useApi } from "../hooks";
import { DataTable, type Column } from "../components/data-table";
import { Loaded } from "../components/states";
import { Badge, Facts } from "../components/bits";

/** The interval and the mean on a 0–1 scale (scores are 0–1), for the eye; the numbers are beside it. */
function Interval({ r }: { r: EvalResult }) {
  const pct = (v: number): string => `${Math.max(0, Math.min(100, v * 100))}%`;
  return (
    <span className="interval" aria-hidden="true">
      <span className="interval-range" style={{ left: pct(r.ci_low), width: `calc(${pct(r.ci_high)} - ${pct(r.ci_low)})` }} />
      <span className="interval-mean" style={{ left: pct(r.mean) }} />
    </span>
  );
}

function resultColumns(report: EvalReport): Column<EvalResult>[] {
  return [
    {
      accessorKey: "version", header: "Version",
      cell: (c) => { const v = c.getValue() as number; return <>{v} {v === report.winner.version && <Badge kind={report.winner.significant ? "good" : "neutral"}>{report.winner.significant ? "winner" : "highest"}</Badge>}</>; },
    },
    { accessorKey: "label", header: "Label", cell: (c) => (c.getValue() as string | undefined) ?? "—" },
    { accessorKey: "n", header: "n", cell: (c) => formatInt(c.getValue() as number) },
    { accessorKey: "mean", header: "Mean score", cell: (c) => (c.getValue() as number).toFixed(3) },
    {
      id: "ci", accessorFn: (r) => r.ci_low, header: "95% interval",
      cell: (c) => { const r = c.row.original; return <span className="share"><span>{`${r.ci_low.toFixed(3)} – ${r.ci_high.toFixed(3)}`}</span><Interval r={r} /></span>; },
    },
    { accessorKey: "cost_usd", header: "Cost", cell: (c) => formatUsd(c.getValue() as number) },
    { accessorKey: "p50_ms", header: "p50 latency", cell: (c) => formatMs(c.getValue() as number) },
    { id: "errors", accessorFn: (r) => report.errors?.[String(r.version)] ?? 0, header: "Failed rows", cell: (c) => formatInt(c.getValue() as number) },
  ];
}

export function PromptEvals({ name }: { name: string }) {
  const evals = useApi<{ data: EvalReport[] }>(`/v1/prompts/${encodeURIComponent(name)}/evals`);
  const [picked, setPicked] = useState<string | null>(null);
  return (
    <section aria-labelledby="evals-title">
      <h3 id="evals-title">Evaluations</h3>
      <Loaded state={evals} what="evaluations">
        {(e) => {
          if (e.data.length === 0) {
            return (
              <p className="muted">No evaluations of {name} yet. Run <code>{`liaison prompts eval --prompt ${name} --dataset rows.jsonl --scorer contains`}</code> (rows <code>{'{"variables": {…}, "expected": …}'}</code>) with the gateway's config: the report is stored with the prompt and shows here. See docs/prompts.md.</p>
            );
          }
          const report = e.data.find((r) => r.id === picked) ?? e.data[0]!;
          return (
            <>
              {e.data.length > 1 && (
                <span className="inline">
                  <label htmlFor="eval-pick">Evaluation</label>
                  <select id="eval-pick" value={report.id} onChange={(ev) => setPicked(ev.target.value)}>
                    {e.data.map((r) => <option key={r.id} value={r.id}>{`${formatTime(r.created_at)} · ${r.scorer ?? "?"} · versions ${r.results.map((x) => x.version).join(", ")}`}</option>)}
                  </select>
                </span>
              )}
              <Facts items={[
                ["Run", formatTime(report.created_at)],
                ["Scorer", report.scorer ?? "—"],
                ["Dataset", report.dataset ?? "—"],
                ["Rows", formatInt(report.n ?? report.results[0]?.n)],
                ["Model", report.model ?? "each version's own"],
                ...(report.judge_cost_usd ? [["Judge cost", formatUsd(report.judge_cost_usd)] as [string, string]] : []),
              ]} />
              <p className={report.winner.significant ? "callout good" : "callout"}>{verdictText({ winner: report.winner.version, significant: report.winner.significant, versions: report.results.length })}</p>
              <DataTable caption={`Evaluation of ${name}, ${formatTime(report.created_at)}`} columns={resultColumns(report)} data={report.results} rowKey={(r) => String(r.version)} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
