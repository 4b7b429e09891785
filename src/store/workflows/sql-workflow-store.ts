/**
 * Workflows and runs on either SQL engine, through the Kysely instance the
 * SQL store already holds (one pool, one migration set: 0009-workflow-runs.ts).
 */
import type { ColumnType, Kysely, Selectable } from "kysely";
import type { RunQuery, StoredRun, StoredWorkflow, WorkflowSource, WorkflowStore } from "./types.js";

interface WorkflowsTable {
  name: string;
  version: number;
  // pg returns Date, better-sqlite3 the text stored.
  created_at: ColumnType<string | Date, string, never>;
  source: string;
  created_by: string | null;
  definition: string;
}

interface WorkflowRunsTable {
  id: string;
  workflow: string;
  version: number | null;
  created_at: ColumnType<string | Date, string, never>;
  status: string;
  key_id: string | null;
  team_id: string | null;
  record: string;
}

export interface WorkflowsDatabase {
  workflows: WorkflowsTable;
  workflow_runs: WorkflowRunsTable;
}

/** Runs per retention statement, so a sweep never holds a lock for long. */
const RETENTION_BATCH = 500;

/** A WorkflowStore on `db`, which must be migrated; the SQL stores hand over their own instance, whatever its table types. */
export function sqlWorkflowStore<DB>(db: Kysely<DB>): WorkflowStore {
  return new SqlWorkflowStore(db as unknown as Kysely<WorkflowsDatabase>);
}

const iso = (v: string | Date): string => (v instanceof Date ? v : new Date(v)).toISOString();

function decodeWorkflow(row: Selectable<WorkflowsTable>): StoredWorkflow {
  return {
    name: row.name,
    version: Number(row.version),
    created_at: iso(row.created_at),
    source: row.source as WorkflowSource,
    created_by: row.created_by,
    definition: JSON.parse(row.definition) as Record<string, unknown>,
  };
}

function decodeRun(row: Selectable<WorkflowRunsTable>): StoredRun {
  return {
    id: row.id,
    workflow: row.workflow,
    version: row.version === null ? null : Number(row.version),
    created_at: iso(row.created_at),
    status: row.status,
    key_id: row.key_id,
    team_id: row.team_id,
    record: JSON.parse(row.record) as Record<string, unknown>,
  };
}

class SqlWorkflowStore implements WorkflowStore {
  constructor(private readonly db: Kysely<WorkflowsDatabase>) {}

  async latest(name: string): Promise<StoredWorkflow | undefined> {
    const row = await this.db.selectFrom("workflows").selectAll().where("name", "=", name)
      .orderBy("version", "desc").limit(1).executeTakeFirst();
    return row && decodeWorkflow(row);
  }

  async get(name: string, version: number): Promise<StoredWorkflow | undefined> {
    const row = await this.db.selectFrom("workflows").selectAll().where("name", "=", name).where("version", "=", version).executeTakeFirst();
    return row && decodeWorkflow(row);
  }

  async versions(name: string): Promise<number[]> {
    const rows = await this.db.selectFrom("workflows").select("version").where("name", "=", name).orderBy("version").execute();
    return rows.map((r) => Number(r.version));
  }

  async list(): Promise<StoredWorkflow[]> {
    const rows = await this.db.selectFrom("workflows as w").selectAll("w")
      .where(({ eb, selectFrom }) => eb("w.version", "=", selectFrom("workflows as v").select(({ fn }) => fn.max("v.version").as("m")).whereRef("v.name", "=", "w.name")))
      .orderBy("w.name").execute();
    return rows.map(decodeWorkflow);
  }

  async add(w: StoredWorkflow): Promise<boolean> {
    const inserted = await this.db.insertInto("workflows")
      .values({ name: w.name, version: w.version, created_at: w.created_at, source: w.source, created_by: w.created_by, definition: JSON.stringify(w.definition) })
      .onConflict((oc) => oc.columns(["name", "version"]).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async saveRun(r: StoredRun): Promise<void> {
    await this.db.insertInto("workflow_runs")
      .values({
        id: r.id, workflow: r.workflow, version: r.version, created_at: r.created_at, status: r.status,
        key_id: r.key_id, team_id: r.team_id, record: JSON.stringify(r.record),
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const row = await this.db.selectFrom("workflow_runs").selectAll().where("id", "=", id).executeTakeFirst();
    return row && decodeRun(row);
  }

  async listRuns(q: RunQuery): Promise<StoredRun[]> {
    let select = this.db.selectFrom("workflow_runs").selectAll().where("workflow", "=", q.workflow);
    if (q.since !== undefined) select = select.where("created_at", ">=", q.since);
    if (q.key_id !== undefined) select = select.where("key_id", "=", q.key_id);
    if (q.team_id !== undefined) select = select.where("team_id", "=", q.team_id);
    if (q.status !== undefined) select = select.where("status", "=", q.status);
    const after = q.after;
    if (after !== undefined) {
      // Row-value comparison, not OFFSET: one index range on either engine.
      select = select.where(({ eb, refTuple, tuple }) => eb(refTuple("created_at", "id"), "<", tuple(after.created_at, after.id)));
    }
    const rows = await select.orderBy("created_at", "desc").orderBy("id", "desc").limit(q.limit).execute();
    return rows.map(decodeRun);
  }

  async deleteRunsOlderThan(before: string): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = (await this.db.selectFrom("workflow_runs").select("id").where("created_at", "<", before)
        .orderBy("created_at").limit(RETENTION_BATCH).execute()).map((r) => r.id);
      if (ids.length === 0) return total;
      await this.db.deleteFrom("workflow_runs").where("id", "in", ids).execute();
      total += ids.length;
      if (ids.length < RETENTION_BATCH) return total;
    }
  }
}
