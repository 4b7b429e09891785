/**
 * One request (GET /admin/logs/{id}): what was asked and answered (bodies
 * as stored: redacted, and only when `logging.bodies` is on), every
 * upstream attempt, the cache, the cost and the trace id, with links to
 * its key and its workflow run.
 */
import type { ReactNode } from "react";
import type { AttemptLogEntry, LogRow } from "../api/types";
import { visiblePages, type Me } from "../lib/access";
import { formatInt, formatMs, formatTime, formatUsd } from "../lib/format";
import { useApi } from "../hooks";
import { Link } from "../router";
import { DataTable, type Column } from "../components/data-table";
import { Loaded } from "../components/states";
import { Facts, PageHeader, StatusBadge } from "../components/bits";
import { runLink } from "./logs";

type Attempt = AttemptLogEntry & { n: number };

const attemptColumns: Column<Attempt>[] = [
  { accessorKey: "n", header: "#" },
  { accessorKey: "provider", header: "Provider" },
  { accessorKey: "model", header: "Model" },
  { accessorKey: "status", header: "Status", cell: (c) => <StatusBadge status={c.getValue() as number} /> },
  { accessorKey: "latency_ms", header: "Latency", cell: (c) => formatMs(c.getValue() as number) },
  { accessorKey: "error", header: "Error", cell: (c) => (c.getValue() as string | null) ?? "—" },
  { accessorKey: "next", header: "Then", cell: (c) => (c.getValue() as string | undefined) ?? "—" },
];

/**
 * The attempts to show. The log keeps an attempt list only when there was
 * more than one, or the one failed; a single good attempt is the row itself.
 */
function attemptsOf(r: LogRow): Attempt[] {
  if (r.attempt_log && r.attempt_log.length > 0) return r.attempt_log.map((a, i) => ({ ...a, n: i + 1 }));
  if (r.attempts === 1 && r.provider) return [{ n: 1, provider: r.provider, model: r.upstream_model ?? r.model ?? "?", status: r.status, latency_ms: r.latency_ms, error: r.error_code }];
  return [];
}

function Json({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p className="muted">Not kept. Bodies are stored only with <code>logging.bodies: true</code> (redacted before they are stored).</p>;
  return <pre className="code" tabIndex={0} aria-label={label}>{JSON.stringify(value, null, 2)}</pre>;
}

/** The registry prompt a completion rendered: a link to it (and its version) where the key may see the Prompts page. */
function PromptLink({ name, version, me }: { name: string; version: number | null; me: Me }) {
  const text = `${name}${version === null ? "" : ` · version ${version}`}`;
  if (!visiblePages(me).includes("prompts")) return <>{text}</>;
  return <Link to={`/prompts?name=${encodeURIComponent(name)}${version === null ? "" : `&version=${version}`}`}>{text}</Link>;
}

export function LogDetailPage({ id, me }: { id: string; me: Me }) {
  const log = useApi<LogRow>(`/admin/logs/${encodeURIComponent(id)}`);
  return (
    <>
      <PageHeader title="Request">
        <Link to="/logs">Back to the log</Link>
      </PageHeader>
      <p className="mono small break">{id}</p>
      <Loaded state={log} what="the request">
        {(r) => {
          const run = runLink(r);
          return (
            <>
              <Facts items={[
                ["Time", formatTime(r.created_at)],
                ["Endpoint", <code key="e">{r.endpoint}</code>],
                ["Status", <span key="s"><StatusBadge status={r.status} /> {r.error_code ?? ""}</span>],
                ["Model asked", r.model ?? "—"],
                ["Served by", r.provider ? `${r.provider} · ${r.upstream_model ?? "?"}` : "—"],
                ["Attempts", String(r.attempts)],
                ["Latency", `${formatMs(r.latency_ms)}${r.ttft_ms !== null ? ` (first token ${formatMs(r.ttft_ms)})` : ""}`],
                ["Tokens", `${formatInt(r.prompt_tokens)} prompt · ${formatInt(r.completion_tokens)} completion`],
                ["Cost", formatUsd(r.cost_usd)],
                ["Cache", r.cache ? `${r.cache}${r.cache_saved_usd ? ` (saved ${formatUsd(r.cache_saved_usd)})` : ""}` : "—"],
                ["Stream", r.stream ? "yes" : "no"],
                ["Key", r.key_id ? <Link key="k" to={`/keys?key=${encodeURIComponent(r.key_id)}`}>{r.key_id}</Link> : "admin key"],
                ["Team", r.team_id ?? "—"],
                ["Trace id", r.trace_id ? <code key="t">{r.trace_id}</code> : "—"],
                ...(run ? [["Workflow run", <Link key="w" to={run.to}>{run.label}</Link>] as [string, ReactNode]] : []),
                ...(r.route_score !== undefined && r.route_score !== null ? [["Route score", r.route_score.toFixed(3)] as [string, string]] : []),
                ...(r.route_target ? [["Router chose", <code key="rt">{r.route_target}</code>] as [string, ReactNode]] : []),
                ...(r.feedback_score !== undefined && r.feedback_score !== null ? [["Feedback", `${r.feedback_score.toFixed(2)} (rated with POST /v1/feedback)${r.feedback_comment ? `: ${r.feedback_comment}` : ""}`] as [string, string]] : []),
                ...(r.prompt ? [["Prompt", <PromptLink key="p" name={r.prompt} version={r.prompt_version ?? null} me={me} />] as [string, ReactNode]] : []),
              ]} />
              <section aria-labelledby="attempts">
                <h2 id="attempts">Attempts</h2>
                {attemptsOf(r).length > 0
                  ? <DataTable caption="Upstream attempts, in order" columns={attemptColumns} data={attemptsOf(r)} rowKey={(a) => String(a.n)} />
                  : <p className="muted">{r.cache === "hit" || r.cache === "semantic-hit" ? "None: answered from the cache." : "None: the gateway answered before calling a provider (a refusal, a limit or a bad request)."}</p>}
              </section>
              {r.metadata && (
                <section aria-labelledby="metadata">
                  <h2 id="metadata">Metadata</h2>
                  <Json value={r.metadata} label="Metadata" />
                </section>
              )}
              <section aria-labelledby="req-body">
                <h2 id="req-body">Request body</h2>
                <Json value={r.request_body} label="Request body" />
              </section>
              <section aria-labelledby="res-body">
                <h2 id="res-body">Response body</h2>
                <Json value={r.response_body} label="Response body" />
              </section>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
