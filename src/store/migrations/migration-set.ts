/**
 * The one migration set both SQL engines run. Listed statically (not read
 * from a folder) because the code ships compiled to dist/, where globbing for
 * .ts files would find nothing. To change the schema, add the next numbered
 * entry; never edit one that has shipped.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { columnTypesFor, type SqlEngine } from "./column-types.js";
import { requestLogs } from "./0001-request-logs.js";
import { attemptLog } from "./0002-attempt-log.js";
import { keysAndTeams } from "./0003-keys-and-teams.js";
import { usage } from "./0004-usage.js";
import { spend } from "./0005-spend.js";
import { cacheSaved } from "./0006-cache-saved.js";
import { logIndexOrder } from "./0007-log-index-order.js";
import { responses } from "./0008-responses.js";
import { workflowRuns } from "./0009-workflow-runs.js";
import { routeScore } from "./0010-route-score.js";
import { mcpTools } from "./0011-mcp-tools.js";
import { prompts } from "./0012-prompts.js";
import type { LiaisonDatabase } from "../sql/log-table.js";

export function liaisonMigrations(engine: SqlEngine): Record<string, Migration> {
  const t = columnTypesFor(engine);
  return {
    "0001_request_logs": requestLogs(t),
    "0002_attempt_log": attemptLog(t),
    "0003_keys_and_teams": keysAndTeams(t),
    "0004_usage": usage(t),
    "0005_spend": spend(t),
    "0006_cache_saved": cacheSaved(t),
    "0007_log_index_order": logIndexOrder(),
    "0008_responses": responses(t),
    "0009_workflow_runs": workflowRuns(t),
    "0010_route_score": routeScore(t),
    "0011_mcp_tools": mcpTools(t),
    "0012_prompts": prompts(t),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

export interface MigrateOptions {
  /**
   * Schema holding the bookkeeping tables (PostgreSQL). Set it explicitly:
   * Kysely otherwise treats a bookkeeping table in *any* schema as ours.
   */
  schema?: string;
}

/** Brings the database to the latest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<LiaisonDatabase>, engine: SqlEngine, options: MigrateOptions = {}): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StaticMigrationProvider(liaisonMigrations(engine)),
    // Own names, so a database shared with another Kysely app keeps two histories.
    migrationTableName: "liaison_migration",
    migrationLockTableName: "liaison_migration_lock",
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    const where = failed === undefined ? "" : ` (migration ${failed})`;
    throw new Error(`Database migration failed${where}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
