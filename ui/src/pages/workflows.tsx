/**
 * Workflows (/v1/workflows): the stored workflows; run one with its inputs
 * and watch each step start and finish (the run's server-sent events);
 * recent runs, and one run's steps with links to their log rows.
 */
import { useMemo, useState, type FormEvent } from "react";
import { explain, request } from "../api/client";
import type { WorkflowRun, WorkflowStep, WorkflowSummary } from "../api/types";
import type { Me } from "../lib/access";
import { formatInt, formatMs, formatTime, formatUsd, shortId } from "../lib/format";
import { SseParser } from "../lib/sse";
import { useApi } from "../hooks";
import { Link, useLocation } from "../router";
import { DataTable, type Column } from "../components/data-table";
import { Loaded } from "../components/states";
import { Badge, Facts, PageHeader } from "../components/bits";

const stepKind = (s: string): "good" | "bad" | "warn" | "neutral" => (s === "succeeded" ? "good" : s === "failed" ? "bad" : s === "running" ? "warn" : "neutral");
const stepError = (e: WorkflowStep["error"]): string => (typeof e === "string" ? e : e?.message ?? "");

const listColumns: Column<WorkflowSummary>[] = [
  { accessorKey: "name", header: "Workflow", cell: (c) => <Link to={`/workflows?name=${encodeURIComponent(c.row.original.name)}`}>{c.row.original.name}</Link> },
  { accessorKey: "description", header: "Description", cell: (c) => (c.getValue() as string | undefined) ?? "" },
  { accessorKey: "version", header: "Version" },
  { id: "inputs", header: "Inputs", enableSorting: false, cell: (c) => Object.keys(c.row.original.inputs ?? {}).join(", ") || <span className="muted">none</span> },
];

function runColumnsOf(name: string): Column<WorkflowRun>[] {
  return [
    { accessorKey: "id", header: "Run", cell: (c) => <Link to={`/workflows?name=${encodeURIComponent(name)}&run=${encodeURIComponent(c.row.original.id)}`} className="mono" title={c.row.original.id}>{shortId(c.row.original.id)}</Link> },
    { accessorKey: "created_at", header: "Started", cell: (c) => formatTime(c.getValue() as string) },
    { accessorKey: "status", header: "Status", cell: (c) => <Badge kind={stepKind(c.getValue() as string)}>{c.getValue() as string}</Badge> },
    { accessorKey: "latency_ms", header: "Time", cell: (c) => formatMs(c.getValue() as number) },
    { accessorKey: "cost_usd", header: "Cost", cell: (c) => formatUsd(c.getValue() as number) },
  ];
}

const STEP_COLUMNS: Column<WorkflowStep>[] = [
  { accessorKey: "id", header: "Step", cell: (c) => <code>{c.getValue() as string}</code> },
  { accessorKey: "status", header: "Status", cell: (c) => <Badge kind={stepKind(c.getValue() as string)}>{c.getValue() as string}</Badge> },
  { accessorKey: "model", header: "Model", cell: (c) => (c.getValue() as string | undefined) ?? "—" },
  { accessorKey: "latency_ms", header: "Latency", cell: (c) => formatMs(c.getValue() as number | null) },
  { accessorKey: "cost_usd", header: "Cost", cell: (c) => formatUsd(c.getValue() as number | null) },
  {
    accessorKey: "request_id", header: "Request", enableSorting: false,
    cell: (c) => { const id = c.getValue() as string | null | undefined; return id ? <Link to={`/logs/${encodeURIComponent(id)}`} title={id} className="mono">{shortId(id)}</Link> : "—"; },
  },
  {
    id: "output", header: "Output or error", enableSorting: false,
    cell: (c) => { const s = c.row.original; return s.error ? <span className="field-error">{stepError(s.error)}</span> : <span className="clip">{s.output === undefined || s.output === null ? "" : typeof s.output === "string" ? s.output : JSON.stringify(s.output)}</span>; },
  },
];

export function WorkflowsPage({ me }: { me: Me }) {
  const { query } = useLocation();
  const name = query.get("name");
  const run = query.get("run");
  const list = useApi<{ data: WorkflowSummary[] }>("/v1/workflows");
  return (
    <>
      <PageHeader title="Workflows" />
      <Loaded state={list} what="workflows">
        {(l) => (
          <DataTable caption="Workflows" columns={listColumns} data={l.data} rowKey={(w) => w.name}
            empty={<p className="muted">No workflows yet. Put YAML files in <code>workflows/</code> beside the config, or <code>POST /v1/workflows</code> one (docs/workflows.md).</p>} />
        )}
      </Loaded>
      {name && run && <RunView name={name} id={run} />}
      {name && !run && list.data && <WorkflowView summary={list.data.data.find((w) => w.name === name)} name={name} me={me} />}
    </>
  );
}

function WorkflowView({ summary, name }: { summary: WorkflowSummary | undefined; name: string; me: Me }) {
  const runs = useApi<{ data: WorkflowRun[] }>(`/v1/workflows/${encodeURIComponent(name)}/runs?limit=20`);
  const runColumns = useMemo(() => runColumnsOf(name), [name]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [steps, setSteps] = useState<WorkflowStep[]>([]);
  const [result, setResult] = useState<WorkflowRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  if (!summary) return <p className="callout warn">No workflow named <code>{name}</code> is visible to this key.</p>;
  const inputs = Object.entries(summary.inputs ?? {});

  const start = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    setSteps([]);
    setResult(null);
    setRunning(true);
    const typed: Record<string, unknown> = {};
    for (const [k, spec] of inputs) {
      const v = values[k];
      if (v === undefined || v === "") continue;
      typed[k] = spec.type === "number" ? Number(v) : spec.type === "boolean" ? v === "true" : spec.type === "object" ? JSON.parse(v) : v;
    }
    try {
      const res = await request(`/v1/workflows/${encodeURIComponent(name)}/runs`, { method: "POST", body: { inputs: typed, stream: true } });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.push(value)) {
          const data = JSON.parse(ev.data) as WorkflowStep & WorkflowRun & { error?: { message?: string } };
          if (ev.event === "step.started") setSteps((s) => [...s.filter((x) => x.id !== data.id), { id: data.id, model: data.model, status: "running" }]);
          else if (ev.event === "step.completed") setSteps((s) => s.map((x) => (x.id === data.id ? data : x)).concat(s.some((x) => x.id === data.id) ? [] : [data]));
          else if (ev.event === "run.completed") setResult(data);
          else if (ev.event === "error") setError(data.error?.message ?? "The run failed.");
        }
      }
      runs.reload();
    } catch (err) {
      setError(explain(err));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section aria-labelledby="wf-title">
      <h2 id="wf-title">{summary.name} <span className="muted small">version {summary.version}</span></h2>
      {summary.description && <p>{summary.description}</p>}
      <form className="form-grid" onSubmit={(e) => void start(e)}>
        {inputs.map(([k, spec]) => (
          <div className="field" key={k}>
            <label htmlFor={`wf-in-${k}`}>{k}{spec.required ? " (required)" : ""}</label>
            {spec.type === "boolean"
              ? <select id={`wf-in-${k}`} value={values[k] ?? String(spec.default ?? "")} onChange={(e) => setValues({ ...values, [k]: e.target.value })}><option value="">—</option><option value="true">true</option><option value="false">false</option></select>
              : <input id={`wf-in-${k}`} value={values[k] ?? ""} placeholder={spec.default === undefined ? spec.type : String(spec.default)} inputMode={spec.type === "number" ? "decimal" : undefined}
                  required={spec.required} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />}
          </div>
        ))}
        <div className="actions start wide"><button type="submit" className="primary" disabled={running}>Run workflow</button></div>
      </form>
      {error && <p className="callout error" role="alert">{error}</p>}
      {(steps.length > 0 || running) && (
        <div aria-live="polite">
          <h3>Progress</h3>
          <ol className="steps">
            {steps.map((s) => <li key={s.id}><Badge kind={stepKind(s.status)}>{s.status}</Badge> <code>{s.id}</code> {s.model && <span className="muted">{s.model}</span>} {s.latency_ms !== undefined && s.latency_ms !== null && <span className="muted">{formatMs(s.latency_ms)}</span>}</li>)}
          </ol>
          {result && <p role="status">Run <Link to={`/workflows?name=${encodeURIComponent(name)}&run=${encodeURIComponent(result.id)}`}>{result.id}</Link> {result.status}, {formatMs(result.latency_ms)}, {formatUsd(result.cost_usd)}.</p>}
        </div>
      )}
      <h3>Recent runs</h3>
      <Loaded state={runs} what="runs">
        {(r) => (
          <DataTable caption={`Recent runs of ${name}`} data={r.data} rowKey={(x) => x.id}
            columns={runColumns}
            empty={<p className="muted">No runs yet: run it above.</p>} />
        )}
      </Loaded>
    </section>
  );
}

function RunView({ name, id }: { name: string; id: string }) {
  const run = useApi<WorkflowRun>(`/v1/workflows/${encodeURIComponent(name)}/runs/${encodeURIComponent(id)}`);
  return (
    <section aria-labelledby="run-title">
      <h2 id="run-title">Run of {name}</h2>
      <p><Link to={`/workflows?name=${encodeURIComponent(name)}`}>Back to {name}</Link></p>
      <Loaded state={run} what="the run">
        {(r) => (
          <>
            <Facts items={[
              ["Run", <code key="id">{r.id}</code>],
              ["Status", <Badge key="s" kind={stepKind(r.status)}>{r.status}</Badge>],
              ["Started", formatTime(r.created_at)],
              ["Time", formatMs(r.latency_ms)],
              ["Cost", formatUsd(r.cost_usd)],
              ["Steps", formatInt(r.steps.length)],
            ]} />
            <DataTable caption="Steps of the run" columns={STEP_COLUMNS} data={r.steps} rowKey={(s) => s.id} />
            <h3>Inputs</h3>
            <pre className="code" tabIndex={0} aria-label="Inputs">{JSON.stringify(r.inputs, null, 2)}</pre>
            {r.outputs && (<><h3>Outputs</h3><pre className="code" tabIndex={0} aria-label="Outputs">{JSON.stringify(r.outputs, null, 2)}</pre></>)}
          </>
        )}
      </Loaded>
    </section>
  );
}
