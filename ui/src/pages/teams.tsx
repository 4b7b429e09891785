/**
 * Teams: their shared limits and budgets, spend against budget, and how
 * many keys each has. Admins create and edit teams; a manager sees their own.
 */
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { api, explain } from "../api/client";
import type { KeyRecord, TeamRecord } from "../api/types";
import { managesTeams, type Me } from "../lib/access";
import { EMPTY_LIMITS, toBody, toForm, type LimitForm } from "../lib/limits";
import { useApi } from "../hooks";
import { Link } from "../router";
import { useSpend } from "../spend";
import { DataTable, type Column } from "../components/data-table";
import { Dialog } from "../components/dialog";
import { LimitFields } from "../components/limit-fields";
import { Loaded } from "../components/states";
import { BudgetBar, PageHeader } from "../components/bits";

interface TeamForm extends LimitForm {
  name: string;
}

const nameRule = { validate: (v: string) => v.trim() !== "" || "Give the team a name, such as the product or group it serves." };

export function TeamsPage({ me }: { me: Me }) {
  const teams = useApi<{ data: TeamRecord[] }>("/admin/teams");
  const keys = useApi<{ data: KeyRecord[] }>("/admin/keys");
  const spend = useSpend(teams.data?.data, "team");
  const [editing, setEditing] = useState<TeamRecord | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const mcp = me.features?.includes("mcp") ?? false;
  const admin = managesTeams(me);
  // Memoised: a new column definition remounts its cells, which would drop the focus of a button in them.
  const columns = useMemo((): Column<TeamRecord>[] => {
    const keyCount = (id: string): number => (keys.data?.data ?? []).filter((k) => k.team_id === id && !k.revoked_at).length;
    return [
    { accessorKey: "name", header: "Name", cell: (c) => <strong>{c.getValue() as string}</strong> },
    { accessorKey: "id", header: "Id", cell: (c) => <code>{c.getValue() as string}</code> },
    { accessorKey: "models", header: "Models", enableSorting: false, cell: (c) => (c.getValue() as string[] | null)?.join(", ") || <span className="muted">all</span> },
    {
      id: "limits", header: "Limits", enableSorting: false,
      accessorFn: (t) => [t.rpm && `${t.rpm} rpm`, t.tpm && `${t.tpm} tpm`, t.max_parallel && `${t.max_parallel} parallel`].filter(Boolean).join(", ") || "none",
    },
    { id: "budget", header: "Spend / budget", enableSorting: false, cell: (c) => <BudgetBar spent={spend?.get(c.row.original.id)} budget={c.row.original.budget_usd} period={c.row.original.budget_period} /> },
    { id: "keys", header: "Active keys", accessorFn: (t) => keyCount(t.id) },
    {
      id: "actions", header: "Actions", enableSorting: false,
      cell: (c) => (
        <span className="row-actions">
          <Link to={`/usage?group_by=key&team_id=${encodeURIComponent(c.row.original.id)}`} aria-label={`Usage of ${c.row.original.name}`}>Usage</Link>
          {admin && <button type="button" onClick={() => setEditing(c.row.original)} aria-label={`Edit ${c.row.original.name}`}>Edit</button>}
        </span>
      ),
    },
  ];
  }, [spend, keys.data, admin]);

  return (
    <>
      <PageHeader title="Teams" />
      {said && <p className="callout good" role="status">{said}</p>}
      {admin
        ? <CreateTeam mcp={mcp} onCreated={(name) => { setSaid(`Team '${name}' created. Give it keys on the Keys page.`); teams.reload(); }} />
        : <p className="muted">Only an admin creates and edits teams; you see your own team.</p>}
      <section aria-labelledby="team-list">
        <h2 id="team-list">All teams</h2>
        <Loaded state={teams} what="teams">
          {(t) => <DataTable caption="Teams" columns={columns} data={t.data} rowKey={(r) => r.id}
            empty={<p className="muted">No teams yet. A team shares limits and a budget among its keys{admin ? ": create one above." : "."}</p>} />}
        </Loaded>
      </section>
      <Dialog open={editing !== null} title={`Edit team '${editing?.name ?? ""}'`} onClose={() => setEditing(null)}>
        {editing && <EditTeam record={editing} mcp={mcp} onDone={(msg) => { setEditing(null); if (msg) { setSaid(msg); teams.reload(); } }} />}
      </Dialog>
    </>
  );
}

function CreateTeam({ mcp, onCreated }: { mcp: boolean; onCreated: (name: string) => void }) {
  const { register, handleSubmit, reset, formState: { errors, isSubmitting } } = useForm<TeamForm>({ defaultValues: { ...EMPTY_LIMITS, name: "" } });
  const [error, setError] = useState<string | null>(null);
  const submit = async (f: TeamForm): Promise<void> => {
    try {
      const team = await api<TeamRecord>("/admin/teams", { method: "POST", body: { name: f.name.trim(), ...toBody(f, { edit: false, mcp }) } });
      setError(null);
      reset();
      onCreated(team.name);
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <section aria-labelledby="create-team">
      <h2 id="create-team">Create a team</h2>
      <form className="form-grid" onSubmit={(e) => void handleSubmit(submit)(e)} noValidate>
        <div className="field">
          <label htmlFor="team-name">Name</label>
          <input id="team-name" {...register("name", nameRule)} aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? "team-name-error" : undefined} />
          {errors.name && <span id="team-name-error" className="field-error">{errors.name.message}</span>}
        </div>
        <details className="wide">
          <summary>Limits and budget</summary>
          <div className="form-grid"><LimitFields register={register} errors={errors} mcp={mcp} /></div>
        </details>
        {error && <p className="field-error wide" role="alert">{error}</p>}
        <div className="actions start wide"><button type="submit" className="primary" disabled={isSubmitting}>Create team</button></div>
      </form>
    </section>
  );
}

function EditTeam({ record, mcp, onDone }: { record: TeamRecord; mcp: boolean; onDone: (message: string | null) => void }) {
  const { register, handleSubmit, formState: { errors, isSubmitting } } = useForm<TeamForm>({ defaultValues: { ...toForm(record), name: record.name } });
  const [error, setError] = useState<string | null>(null);
  const submit = async (f: TeamForm): Promise<void> => {
    try {
      await api(`/admin/teams/${encodeURIComponent(record.id)}`, { method: "PATCH", body: { name: f.name.trim(), ...toBody(f, { edit: true, mcp }) } });
      onDone(`Team '${f.name}' saved.`);
    } catch (err) {
      setError(explain(err));
    }
  };
  return (
    <form className="form-grid" onSubmit={(e) => void handleSubmit(submit)(e)} noValidate>
      <div className="field">
        <label htmlFor="edit-team-name">Name</label>
        <input id="edit-team-name" {...register("name", nameRule)} />
        {errors.name && <span className="field-error">{errors.name.message}</span>}
      </div>
      <LimitFields register={register} errors={errors} mcp={mcp} />
      {error && <p className="field-error wide" role="alert">{error}</p>}
      <div className="actions wide">
        <button type="button" onClick={() => onDone(null)}>Cancel</button>
        <button type="submit" className="primary" disabled={isSubmitting}>Save changes</button>
      </div>
    </form>
  );
}
