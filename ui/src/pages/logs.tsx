/**
 * Logs: the request log (GET /admin/logs), newest first, filtered by model,
 * provider, key, status and time; "Load older" follows next_cursor, and the
 * live tail asks for rows newer than the newest shown every 2 s.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { api } from "../api/client";
import type { KeyRecord, LogPage, LogSummary } from "../api/types";
import { managesKeys, type Me } from "../lib/access";
import { formatInt, formatMs, formatShortTime, formatTime, formatUsd, shortId } from "../lib/format";
import { useApi } from "../hooks";
import { Link, navigate, useLocation } from "../router";
import { DataTable, type Column } from "../components/data-table";
import { Empty, ErrorState, Loading } from "../components/states";
import { PageHeader, StatusBadge } from "../components/bits";

const FILTERS = ["model", "provider", "key_id", "status", "since", "until"] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const TAIL_MS = 2_000;

/** datetime-local values are local times; the API takes ISO instants. */
const toIso = (local: string): string => (local ? new Date(local).toISOString() : "");
const toLocal = (iso: string | null): string => {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

function filtersFrom(query: URLSearchParams): Filters {
  return Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ""])) as Filters;
}

function queryOf(f: Filters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

/** A link to the workflow run a row belongs to (its metadata names it), or null. */
export function runLink(row: Pick<LogSummary, "metadata">): { to: string; label: string } | null {
  const m = row.metadata;
  if (!m || typeof m.workflow !== "string" || typeof m.workflow_run !== "string") return null;
  return { to: `/workflows?name=${encodeURIComponent(m.workflow)}&run=${encodeURIComponent(m.workflow_run)}`, label: `${m.workflow}${typeof m.workflow_step === "string" ? ` · ${m.workflow_step}` : ""}` };
}

export function LogsPage({ me }: { me: Me }) {
  const { query } = useLocation();
  const filters = filtersFrom(query);
  const filterKey = queryOf(filters);
  const qs = queryOf(filters, { limit: "50" });
  const [rows, setRows] = useState<LogSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [tail, setTail] = useState(false);
  const [tick, setTick] = useState(0);
  const keys = useApi<{ data: KeyRecord[] }>(managesKeys(me) && me.features?.includes("keys") ? "/admin/keys" : null);
  const keyNames = useMemo(() => new Map((keys.data?.data ?? []).map((k) => [k.id, k.name])), [keys.data]);
  const newest = useRef<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setRows(null);
    setError(undefined);
    api<LogPage>(`/admin/logs?${qs}`, { signal: ctrl.signal }).then((page) => {
      setRows(page.data);
      setCursor(page.next_cursor);
      newest.current = page.data[0]?.created_at ?? null;
    }, (err: unknown) => {
      if (!ctrl.signal.aborted) setError(err);
    });
    return () => ctrl.abort();
  }, [qs, tick]);

  useEffect(() => {
    if (!tail) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== "visible") return;
      const since = newest.current ?? new Date(Date.now() - 60_000).toISOString();
      // An explicit `until` in the filters would hide new rows: the tail drops it.
      const current = filtersFrom(new URLSearchParams(filterKey));
      api<LogPage>(`/admin/logs?${queryOf({ ...current, until: "", since }, { limit: "100" })}`).then((page) => {
        if (page.data.length === 0) return;
        setRows((old) => {
          const seen = new Set((old ?? []).map((r) => r.id));
          const fresh = page.data.filter((r) => !seen.has(r.id));
          return fresh.length === 0 ? old : [...fresh, ...(old ?? [])];
        });
        newest.current = page.data[0]!.created_at;
      }, setError);
    }, TAIL_MS);
    return () => clearInterval(timer);
  }, [tail, filterKey]);

  const older = async (): Promise<void> => {
    if (!cursor) return;
    try {
      const page = await api<LogPage>(`/admin/logs?${queryOf(filters, { limit: "50", cursor })}`);
      setRows((old) => [...(old ?? []), ...page.data]);
      setCursor(page.next_cursor);
    } catch (err) {
      setError(err);
    }
  };

  const columns = useMemo(() => logColumns(keyNames), [keyNames]);
  const filtered = FILTERS.some((f) => filters[f]);

  return (
    <>
      <PageHeader title="Logs">
        <label className="inline"><input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} /> Live tail</label>
        <button type="button" onClick={() => setTick((t) => t + 1)}>Refresh</button>
      </PageHeader>
      <FilterForm initial={filters} />
      {tail && <p className="muted small" role="status">Live: new requests appear at the top every {TAIL_MS / 1000} s.</p>}
      {error !== undefined && <ErrorState error={error} retry={() => setTick((t) => t + 1)} />}
      {rows === null && error === undefined && <Loading what="the request log" />}
      {rows !== null && (
        <DataTable caption="Requests, newest first" columns={columns} data={rows} rowKey={(r) => r.id}
          empty={
            <Empty title={filtered ? "No request matches these filters." : "No requests yet."}>
              {filtered
                ? <p>Clear a filter or widen the time range.</p>
                : <p>Point an OpenAI client at this gateway's <code>/v1</code>, or send a message from the <Link to="/playground">Playground</Link>; turn on the live tail to watch requests arrive.</p>}
            </Empty>
          } />
      )}
      {cursor && rows && rows.length > 0 && <p><button type="button" onClick={() => void older()}>Load older</button></p>}
    </>
  );
}

function logColumns(keyNames: Map<string, string>): Column<LogSummary>[] {
  return [
    { accessorKey: "created_at", header: "Time", cell: (c) => <span title={formatTime(c.getValue() as string)}>{formatShortTime(c.getValue() as string)}</span> },
    {
      accessorKey: "id", header: "Request", enableSorting: false,
      cell: (c) => <Link to={`/logs/${encodeURIComponent(c.row.original.id)}`} title={c.row.original.id} className="mono">{shortId(c.row.original.id)}</Link>,
    },
    { accessorKey: "model", header: "Model", cell: (c) => (c.getValue() as string | null) ?? "—" },
    { accessorKey: "provider", header: "Provider", cell: (c) => (c.getValue() as string | null) ?? "—" },
    { accessorKey: "status", header: "Status", cell: (c) => <StatusBadge status={c.getValue() as number} /> },
    { accessorKey: "latency_ms", header: "Latency", cell: (c) => formatMs(c.getValue() as number) },
    { id: "tokens", accessorFn: (r) => (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0), header: "Tokens", cell: (c) => formatInt(c.getValue() as number) },
    { accessorKey: "cost_usd", header: "Cost", cell: (c) => formatUsd(c.getValue() as number | null) },
    { accessorKey: "cache", header: "Cache", cell: (c) => (c.getValue() as string | null) ?? "—" },
    {
      accessorKey: "key_id", header: "Key", enableSorting: false,
      cell: (c) => {
        const id = c.getValue() as string | null;
        // No key id: the admin key, or (401) a key the gateway did not accept.
        if (!id) return <span className="muted">{c.row.original.status === 401 ? "—" : "admin key"}</span>;
        return <Link to={`/keys?key=${encodeURIComponent(id)}`} title={id}>{keyNames.get(id) ?? shortId(id)}</Link>;
      },
    },
    {
      id: "run", header: "Workflow run", enableSorting: false,
      cell: (c) => {
        const link = runLink(c.row.original);
        return link ? <Link to={link.to}>{link.label}</Link> : <span className="muted">—</span>;
      },
    },
  ];
}

function FilterForm({ initial }: { initial: Filters }) {
  const shown = (f: Filters): Filters => ({ ...f, since: toLocal(f.since), until: toLocal(f.until) });
  const { register, handleSubmit, reset } = useForm<Filters>({ defaultValues: shown(initial) });
  // The URL is the source of truth: a link or Back changes the filters, and the form follows.
  const key = queryOf(initial);
  useEffect(() => reset(shown(filtersFrom(new URLSearchParams(key)))), [reset, key]);
  const apply = (f: Filters): void => navigate(`/logs?${queryOf({ ...f, since: toIso(f.since), until: toIso(f.until) })}`);
  return (
    <form className="filters" onSubmit={(e) => void handleSubmit(apply)(e)} aria-label="Filter requests">
      <label>Model <input {...register("model")} placeholder="any" /></label>
      <label>Provider <input {...register("provider")} placeholder="any" /></label>
      <label>Key id <input {...register("key_id")} placeholder="any" /></label>
      <label>Status <input {...register("status")} inputMode="numeric" placeholder="any" pattern="[1-5][0-9][0-9]" /></label>
      <label>From <input type="datetime-local" {...register("since")} /></label>
      <label>Until <input type="datetime-local" {...register("until")} /></label>
      <div className="filter-actions">
        <button type="submit" className="primary">Apply filters</button>
        <button type="button" onClick={() => navigate("/logs")}>Clear</button>
      </div>
    </form>
  );
}
