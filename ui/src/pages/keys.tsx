/**
 * Keys: the virtual keys this key may manage (all for an admin, their
 * team's for a manager). Create — the secret is shown once, with a copy
 * button —, edit limits, budgets, allowed models and MCP tools, revoke
 * after a confirmation; spend against budget as a bar.
 */
import { useId, useMemo, useState } from "react";
import { useForm, type UseFormRegister } from "react-hook-form";
import { api, explain } from "../api/client";
import type { KeyRecord, TeamRecord } from "../api/types";
import type { Me, Role } from "../lib/access";
import { formatAgo, formatTime } from "../lib/format";
import { EMPTY_LIMITS, toBody, toForm, type LimitForm } from "../lib/limits";
import { useApi } from "../hooks";
import { Link, useLocation } from "../router";
import { useSpend } from "../spend";
import { DataTable, type Column } from "../components/data-table";
import { Confirm, Dialog } from "../components/dialog";
import { LimitFields } from "../components/limit-fields";
import { Loaded } from "../components/states";
import { Badge, BudgetBar, CopyButton, PageHeader } from "../components/bits";

interface KeyForm extends LimitForm {
  name: string;
  role: Role;
  team_id: string;
  expires_at: string;
}

const ROLES: Role[] = ["member", "manager", "viewer", "admin"];

function keyBody(f: KeyForm, o: { edit: boolean; mcp: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = { name: f.name.trim(), role: f.role, ...toBody(f, o) };
  if (f.team_id !== "" || o.edit) body.team_id = f.team_id === "" ? null : f.team_id;
  if (f.expires_at !== "" || o.edit) body.expires_at = f.expires_at === "" ? null : new Date(f.expires_at).toISOString();
  return body;
}

const limitsText = (k: KeyRecord | TeamRecord): string => {
  const parts = [k.rpm && `${k.rpm} rpm`, k.tpm && `${k.tpm} tpm`, k.max_parallel && `${k.max_parallel} parallel`].filter(Boolean);
  return parts.length ? parts.join(", ") : "none";
};

export function KeysPage({ me }: { me: Me }) {
  const { query } = useLocation();
  const only = query.get("key");
  const keys = useApi<{ data: KeyRecord[] }>("/admin/keys");
  const teams = useApi<{ data: TeamRecord[] }>("/admin/teams");
  const [showRevoked, setShowRevoked] = useState(false);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [editing, setEditing] = useState<KeyRecord | null>(null);
  const [revoking, setRevoking] = useState<KeyRecord | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const spend = useSpend(keys.data?.data, "key");
  const mcp = me.features?.includes("mcp") ?? false;
  const teamNames = useMemo(() => new Map((teams.data?.data ?? []).map((t) => [t.id, t.name])), [teams.data]);

  const revoke = async (): Promise<void> => {
    if (!revoking) return;
    try {
      await api(`/admin/keys/${encodeURIComponent(revoking.id)}`, { method: "DELETE" });
      setSaid(`Key '${revoking.name}' revoked: it is refused from now on.`);
      setFailure(null);
      keys.reload();
    } catch (err) {
      setFailure(explain(err));
    }
    setRevoking(null);
  };

  // Memoised: a new column definition remounts its cells, which would drop the focus of a button in them.
  const columns = useMemo((): Column<KeyRecord>[] => [
    { accessorKey: "name", header: "Name", cell: (c) => <strong>{c.getValue() as string}</strong> },
    { accessorKey: "key_prefix", header: "Prefix", cell: (c) => <code>{c.getValue() as string}…</code> },
    { accessorKey: "role", header: "Role" },
    { accessorKey: "team_id", header: "Team", cell: (c) => { const t = c.getValue() as string | null; return t ? teamNames.get(t) ?? t : <span className="muted">none</span>; } },
    { accessorKey: "models", header: "Models", enableSorting: false, cell: (c) => (c.getValue() as string[] | null)?.join(", ") || <span className="muted">all</span> },
    { id: "limits", header: "Limits", enableSorting: false, accessorFn: limitsText },
    { id: "budget", header: "Spend / budget", enableSorting: false, cell: (c) => <BudgetBar spent={spend?.get(c.row.original.id)} budget={c.row.original.budget_usd} period={c.row.original.budget_period} /> },
    { accessorKey: "last_used_at", header: "Last used", cell: (c) => formatAgo(c.getValue() as string | null) },
    {
      id: "status", header: "Status", accessorFn: (k) => (k.revoked_at ? "revoked" : k.expires_at && Date.parse(k.expires_at) < Date.now() ? "expired" : "active"),
      cell: (c) => { const s = c.getValue() as string; return <Badge kind={s === "active" ? "good" : "bad"}>{s}</Badge>; },
    },
    {
      id: "actions", header: "Actions", enableSorting: false,
      cell: (c) => {
        const k = c.row.original;
        return (
          <span className="row-actions">
            <Link to={`/logs?key_id=${encodeURIComponent(k.id)}`} aria-label={`Logs of ${k.name}`}>Logs</Link>
            {!k.revoked_at && <button type="button" onClick={() => setEditing(k)} aria-label={`Edit ${k.name}`}>Edit</button>}
            {!k.revoked_at && <button type="button" className="danger" onClick={() => setRevoking(k)} aria-describedby={`key-${k.id}`}>Revoke</button>}
            <span id={`key-${k.id}`} hidden>{k.name}</span>
          </span>
        );
      },
    },
  ], [spend, teamNames]);

  return (
    <>
      <PageHeader title="Keys" />
      {said && <p className="callout good" role="status">{said}</p>}
      {failure && <p className="callout error" role="alert">{failure}</p>}
      {created
        ? <NewSecret name={created.name} secret={created.secret} onDone={() => setCreated(null)} />
        : <CreateKey me={me} teams={teams.data?.data ?? []} mcp={mcp} onCreated={(name, secret) => { setCreated({ name, secret }); setSaid(null); keys.reload(); }} />}
      <section aria-labelledby="key-list">
        <div className="section-header">
          <h2 id="key-list">{only ? "One key" : "All keys"}</h2>
          <label className="inline"><input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} /> Show revoked keys</label>
        </div>
        {only && <p>Showing key <code>{only}</code> only. <Link to="/keys">Show all keys</Link></p>}
        <Loaded state={keys} what="keys">
          {(k) => (
            <DataTable caption="Virtual keys" columns={columns} rowKey={(r) => r.id}
              data={k.data.filter((r) => (only ? r.id === only : showRevoked || !r.revoked_at))}
              empty={<p className="muted">{only
                ? "No key with this id is visible to you: it may belong to another team."
                : k.data.length > 0
                  ? `No active keys: ${k.data.length} revoked ${k.data.length === 1 ? "key is" : "keys are"} hidden (tick "Show revoked keys"). Create one above.`
                  : "No keys yet. Create one above: its secret is shown once."}</p>} />
          )}
        </Loaded>
      </section>
      <Dialog open={editing !== null} title={`Edit key '${editing?.name ?? ""}'`} onClose={() => setEditing(null)}>
        {editing && <EditKey me={me} record={editing} teams={teams.data?.data ?? []} mcp={mcp} onDone={(msg) => { setEditing(null); if (msg) { setSaid(msg); keys.reload(); } }} />}
      </Dialog>
      <Confirm open={revoking !== null} title={`Revoke key '${revoking?.name ?? ""}'?`} action="Revoke key" onConfirm={() => void revoke()} onCancel={() => setRevoking(null)}>
        <p>Requests with this key are refused from the moment it is revoked, on every instance. This cannot be undone: a revoked key is replaced, not restored.</p>
      </Confirm>
    </>
  );
}

function NewSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  return (
    <section className="callout good secret" aria-labelledby="new-secret">
      <h2 id="new-secret">Key '{name}' created</h2>
      <p><strong>Copy the secret now: it is shown this once.</strong> The gateway keeps only its hash; a lost key is revoked and replaced.</p>
      <p className="secret-row">
        <label htmlFor="secret-value" className="visually-hidden">New key secret</label>
        <input id="secret-value" readOnly value={secret} className="mono" onFocus={(e) => e.target.select()} />
        <CopyButton text={secret} />
      </p>
      <button type="button" onClick={onDone}>Done</button>
    </section>
  );
}

function TeamAndRole({ me, teams, register }: { me: Me; teams: TeamRecord[]; register: UseFormRegister<KeyForm> }) {
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-role`}>Role</label>
        <select id={`${id}-role`} {...register("role")}>
          {ROLES.filter((r) => me.role === "admin" || r !== "admin").map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-team`}>Team</label>
        <select id={`${id}-team`} {...register("team_id")} disabled={me.role !== "admin"}>
          {me.role === "admin" && <option value="">No team</option>}
          {teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
        </select>
      </div>
    </>
  );
}

function CreateKey({ me, teams, mcp, onCreated }: { me: Me; teams: TeamRecord[]; mcp: boolean; onCreated: (name: string, secret: string) => void }) {
  const { register, handleSubmit, reset, formState: { errors, isSubmitting } } = useForm<KeyForm>({
    defaultValues: { ...EMPTY_LIMITS, name: "", role: "member", team_id: me.role === "manager" ? me.team_id ?? "" : "", expires_at: "" },
  });
  const [error, setError] = useState<string | null>(null);
  const submit = async (f: KeyForm): Promise<void> => {
    try {
      const created = await api<KeyRecord & { key: string }>("/admin/keys", { method: "POST", body: keyBody(f, { edit: false, mcp }) });
      setError(null);
      reset();
      onCreated(created.name, created.key);
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <section aria-labelledby="create-key">
      <h2 id="create-key">Create a key</h2>
      <form className="form-grid" onSubmit={(e) => void handleSubmit(submit)(e)} noValidate>
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" {...register("name", { validate: (v) => v.trim() !== "" || "Give the key a name, such as the app or person that will use it." })}
            aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? "key-name-error" : undefined} />
          {errors.name && <span id="key-name-error" className="field-error">{errors.name.message}</span>}
        </div>
        <TeamAndRole me={me} teams={teams} register={register} />
        <details className="wide">
          <summary>Limits, budget and expiry</summary>
          <div className="form-grid">
            <LimitFields register={register} errors={errors} mcp={mcp} />
            <div className="field">
              <label htmlFor="key-expires">Expires</label>
              <input id="key-expires" type="datetime-local" {...register("expires_at")} />
            </div>
          </div>
        </details>
        {error && <p className="field-error wide" role="alert">{error}</p>}
        <div className="actions start wide"><button type="submit" className="primary" disabled={isSubmitting}>Create key</button></div>
      </form>
    </section>
  );
}

function EditKey({ me, record, teams, mcp, onDone }: { me: Me; record: KeyRecord; teams: TeamRecord[]; mcp: boolean; onDone: (message: string | null) => void }) {
  const local = (iso: string | null): string => (iso ? new Date(Date.parse(iso) - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "");
  const { register, handleSubmit, formState: { errors, isSubmitting } } = useForm<KeyForm>({
    defaultValues: { ...toForm(record), name: record.name, role: record.role, team_id: record.team_id ?? "", expires_at: local(record.expires_at) },
  });
  const [error, setError] = useState<string | null>(null);
  const submit = async (f: KeyForm): Promise<void> => {
    try {
      const body = keyBody(f, { edit: true, mcp });
      // A manager's select is disabled (their team only): do not send what they cannot change.
      if (me.role !== "admin") delete body.team_id;
      await api(`/admin/keys/${encodeURIComponent(record.id)}`, { method: "PATCH", body });
      onDone(`Key '${f.name}' saved.`);
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <form className="form-grid" onSubmit={(e) => void handleSubmit(submit)(e)} noValidate>
      <div className="field">
        <label htmlFor="edit-key-name">Name</label>
        <input id="edit-key-name" {...register("name", { validate: (v) => v.trim() !== "" || "A key needs a name." })} />
        {errors.name && <span className="field-error">{errors.name.message}</span>}
      </div>
      <TeamAndRole me={me} teams={teams} register={register} />
      <LimitFields register={register} errors={errors} mcp={mcp} />
      <div className="field">
        <label htmlFor="edit-key-expires">Expires</label>
        <input id="edit-key-expires" type="datetime-local" {...register("expires_at")} />
      </div>
      <p className="muted small wide">Created {formatTime(record.created_at)}; id <code>{record.id}</code>.</p>
      {error && <p className="field-error wide" role="alert">{error}</p>}
      <div className="actions wide">
        <button type="button" onClick={() => onDone(null)}>Cancel</button>
        <button type="submit" className="primary" disabled={isSubmitting}>Save changes</button>
      </div>
    </form>
  );
}
