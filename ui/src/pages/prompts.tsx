/**
 * Prompts (/v1/prompts, DESIGN.md §7 "Prompt registry"): the stored
 * prompts; one prompt's versions with their messages, its labels (moved by
 * admins and managers), its evaluations and a form to try it with
 * variables. The prompt and version in view are in the URL
 * (/prompts?name=support&version=2), so a log row can link to them.
 */
import { useState, type FormEvent } from "react";
import { api, explain } from "../api/client";
import type { PromptVersion, PromptView } from "../api/types";
import { writesPrompts, type Me } from "../lib/access";
import { formatTime } from "../lib/format";
import { labelsOf, variablesOf } from "../lib/prompts";
import { useApi } from "../hooks";
import { Link, navigate, useLocation } from "../router";
import { DataTable, type Column } from "../components/data-table";
import { Empty, Loaded } from "../components/states";
import { Badge, Facts, PageHeader } from "../components/bits";
import { PromptEvals } from "./prompts-evals";
import { TryPrompt } from "./prompts-try";

const promptPath = (name: string, version?: number): string => `/prompts?name=${encodeURIComponent(name)}${version === undefined ? "" : `&version=${version}`}`;

const LabelBadges = ({ labels }: { labels: string[] }) => (labels.length === 0 ? null : <span className="badges">{labels.map((l) => <Badge key={l} kind="good">{l}</Badge>)}</span>);

const listColumns: Column<PromptView>[] = [
  { accessorKey: "name", header: "Prompt", cell: (c) => <Link to={promptPath(c.row.original.name)}>{c.row.original.name}</Link> },
  { id: "latest", accessorFn: (p) => p.latest.version, header: "Latest version" },
  { id: "labels", header: "Labels", enableSorting: false, cell: (c) => { const l = Object.entries(c.row.original.labels); return l.length ? l.map(([k, v]) => `${k} → ${v}`).join(", ") : <span className="muted">none</span>; } },
  { id: "model", accessorFn: (p) => p.latest.model ?? "", header: "Model", cell: (c) => (c.getValue() as string) || <span className="muted">the caller's</span> },
  { id: "created", accessorFn: (p) => p.latest.created_at, header: "Updated", cell: (c) => formatTime(c.getValue() as string) },
  { id: "description", accessorFn: (p) => p.latest.description ?? "", header: "Description", enableSorting: false, cell: (c) => <span className="clip">{c.getValue() as string}</span> },
];

export function PromptsPage({ me }: { me: Me }) {
  const { query } = useLocation();
  const name = query.get("name");
  const list = useApi<{ data: PromptView[] }>("/v1/prompts");
  return (
    <>
      <PageHeader title="Prompts" />
      <Loaded state={list} what="prompts">
        {(l) => (
          <DataTable caption="Prompts" columns={listColumns} data={l.data} rowKey={(p) => p.name}
            empty={(
              <Empty title="No prompts yet">
                <p>Put <code>NAME.yaml</code> files (messages with <code>{"{{variable}}"}</code> placeholders, an optional model) in <code>prompts/</code> in the gateway's working directory and restart it, or <code>POST /v1/prompts</code> one with an admin or manager key. See docs/prompts.md.</p>
              </Empty>
            )} />
        )}
      </Loaded>
      {name && <PromptDetail key={name} name={name} me={me} version={Number(query.get("version")) || undefined} onChanged={list.reload} />}
    </>
  );
}

function PromptDetail({ name, me, version, onChanged }: { name: string; me: Me; version: number | undefined; onChanged: () => void }) {
  const prompt = useApi<PromptView>(`/v1/prompts/${encodeURIComponent(name)}`);
  return (
    <section aria-labelledby="prompt-title">
      <h2 id="prompt-title">{name}</h2>
      <Loaded state={prompt} what={`prompt ${name}`}>
        {(p) => {
          const shown = version !== undefined && p.versions.includes(version) ? version : p.latest.version;
          return (
            <>
              {p.latest.description && <p>{p.latest.description}</p>}
              {version !== undefined && !p.versions.includes(version) && <p className="callout warn" role="alert">Prompt {name} has no version {version}: showing the latest, version {p.latest.version}.</p>}
              <Facts items={[
                ["Latest version", String(p.latest.version)],
                ["Versions", p.versions.join(", ")],
                ["Labels", Object.keys(p.labels).length ? Object.entries(p.labels).map(([l, v]) => `${l} → ${v}`).join(", ") : "none"],
                ["Model", p.latest.model ?? "none: the caller names one"],
              ]} />
              <VersionView name={name} prompt={p} version={shown} />
              <Labels prompt={p} me={me} onMoved={() => { prompt.reload(); onChanged(); }} />
              <PromptEvals name={name} />
              <TryPrompt prompt={p} version={shown} me={me} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function VersionView({ name, prompt, version }: { name: string; prompt: PromptView; version: number }) {
  const v = useApi<PromptVersion>(version === prompt.latest.version ? null : `/v1/prompts/${encodeURIComponent(name)}/versions/${version}`);
  const shown: { data: PromptVersion | undefined; error: unknown; loading: boolean; reload: () => void } = version === prompt.latest.version ? { data: prompt.latest, error: undefined, loading: false, reload: () => undefined } : v;
  return (
    <section aria-labelledby="version-title">
      <div className="section-header">
        <h3 id="version-title">Version {version} <LabelBadges labels={labelsOf(version, prompt.labels)} /></h3>
        <span className="inline">
          <label htmlFor="prompt-version">Version</label>
          <select id="prompt-version" value={version} onChange={(e) => navigate(promptPath(name, Number(e.target.value)), true)}>
            {[...prompt.versions].sort((a, b) => b - a).map((n) => <option key={n} value={n}>{`${n}${labelsOf(n, prompt.labels).length ? ` (${labelsOf(n, prompt.labels).join(", ")})` : ""}`}</option>)}
          </select>
        </span>
      </div>
      <Loaded state={shown} what={`version ${version}`}>
        {(d) => {
          const vars = variablesOf(d.messages);
          return (
            <>
              <Facts items={[
                ["Created", formatTime(d.created_at)],
                ["Model", d.model ?? "none: the caller names one"],
                ["Variables", vars.length ? vars.join(", ") : "none"],
                ["Parameters", Object.keys(d.params).length ? <code key="p">{JSON.stringify(d.params)}</code> : "none"],
              ]} />
              <ol className="messages" aria-label={`Messages of version ${version}`}>
                {d.messages.map((m, i) => (
                  <li key={i} className="message">
                    <Badge kind="neutral">{m.role}</Badge>
                    <pre className="code message-text">{m.content}</pre>
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

type LabelRow = { label: string; version: number };

function Labels({ prompt, me, onMoved }: { prompt: PromptView; me: Me; onMoved: () => void }) {
  const may = writesPrompts(me);
  const [said, setSaid] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rows: LabelRow[] = Object.entries(prompt.labels).map(([label, version]) => ({ label, version })).sort((a, b) => (a.label < b.label ? -1 : 1));
  const versions = [...prompt.versions].sort((a, b) => b - a);

  const move = async (label: string, version: number): Promise<void> => {
    setBusy(true);
    setSaid(null);
    setProblem(null);
    try {
      await api(`/v1/prompts/${encodeURIComponent(prompt.name)}/labels/${encodeURIComponent(label)}`, { method: "PUT", body: { version } });
      setSaid(`Label ${label} now points at version ${version}.`);
      onMoved();
    } catch (err) {
      setProblem(explain(err));
    } finally {
      setBusy(false);
    }
  };

  const columns: Column<LabelRow>[] = [
    { accessorKey: "label", header: "Label", cell: (c) => <Badge kind="good">{c.getValue() as string}</Badge> },
    { accessorKey: "version", header: "Version", cell: (c) => <Link to={promptPath(prompt.name, c.getValue() as number)}>version {c.getValue() as number}</Link> },
    ...(may ? [{
      id: "move", header: "Move to", enableSorting: false,
      cell: (c) => <MoveLabel row={c.row.original} versions={versions} busy={busy} onMove={(v) => void move(c.row.original.label, v)} />,
    } satisfies Column<LabelRow>] : []),
  ];

  return (
    <section aria-labelledby="labels-title">
      <h3 id="labels-title">Labels</h3>
      <p className="muted small">A completion uses the <code>production</code> label's version unless it names a version or a label; without that label, the latest version.{may ? "" : " Moving labels needs an admin or manager key."}</p>
      <DataTable caption={`Labels of ${prompt.name}`} columns={columns} data={rows} rowKey={(r) => r.label}
        empty={<p className="muted">No labels: completions use the latest version.{may ? " Add one below." : ""}</p>} />
      {may && <AddLabel versions={versions} busy={busy} onAdd={(l, v) => void move(l, v)} />}
      {said && <p role="status" className="callout good">{said}</p>}
      {problem && <p role="alert" className="callout error">{problem}</p>}
    </section>
  );
}

function MoveLabel({ row, versions, busy, onMove }: { row: LabelRow; versions: number[]; busy: boolean; onMove: (v: number) => void }) {
  const [to, setTo] = useState(row.version);
  return (
    <span className="row-actions">
      <select aria-label={`Version for ${row.label}`} value={to} onChange={(e) => setTo(Number(e.target.value))}>
        {versions.map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
      <button type="button" disabled={busy || to === row.version} onClick={() => onMove(to)}>{`Move ${row.label}`}</button>
    </span>
  );
}

function AddLabel({ versions, busy, onAdd }: { versions: number[]; busy: boolean; onAdd: (label: string, version: number) => void }) {
  const [label, setLabel] = useState("");
  const [version, setVersion] = useState(versions[0] ?? 1);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (label.trim() !== "") onAdd(label.trim(), version);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Set a label">
      <label>Label<input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="production" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}" title="Letters, digits and _ . - (not starting with _ . -)" /></label>
      <label>Points at version<select value={version} onChange={(e) => setVersion(Number(e.target.value))}>{versions.map((v) => <option key={v} value={v}>{v}</option>)}</select></label>
      <div className="filter-actions"><button type="submit" disabled={busy}>Set label</button></div>
    </form>
  );
}
