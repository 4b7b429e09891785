import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * Workflows (store/workflows/):
 *
 * - workflows: one row per version of a workflow definition (an upload, or a
 *   file of `workflows.dir` that changed), never edited. `definition` is the
 *   workflow as JSON text on both engines: it comes back exactly as it was
 *   given (jsonb would reorder its keys), and nothing queries inside it.
 * - workflow_runs: one row per finished run. `record` is the whole run
 *   record (every step's input, output, status, request id, tokens, cost and
 *   timing) as JSON text; the columns beside it are what listing and
 *   retention filter and order on.
 */
export function workflowRuns(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("workflows")
        .addColumn("name", t.id, (c) => c.notNull())
        .addColumn("version", t.integer, (c) => c.notNull())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("source", t.text, (c) => c.notNull())
        .addColumn("created_by", t.id)
        .addColumn("definition", t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint("workflows_pkey", ["name", "version"])
        .execute();

      await db.schema
        .createTable("workflow_runs")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("workflow", t.id, (c) => c.notNull())
        .addColumn("version", t.integer)
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("status", t.text, (c) => c.notNull())
        .addColumn("key_id", t.id)
        .addColumn("team_id", t.id)
        .addColumn("record", t.text, (c) => c.notNull())
        .execute();
      // GET /v1/workflows/{name}/runs: one workflow's runs, newest first, by keyset.
      await db.schema.createIndex("workflow_runs_workflow_idx").on("workflow_runs").columns(["workflow", "created_at", "id"]).execute();
      // Retention deletes the oldest first.
      await db.schema.createIndex("workflow_runs_created_at_idx").on("workflow_runs").columns(["created_at", "id"]).execute();
    },
    async down(db) {
      await db.schema.dropTable("workflow_runs").execute();
      await db.schema.dropTable("workflows").execute();
    },
  };
}
