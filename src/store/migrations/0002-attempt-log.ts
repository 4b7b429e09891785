import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/** request_logs.attempt_log: every upstream attempt of a request (target, status, latency, error). */
export function attemptLog(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("request_logs").addColumn("attempt_log", t.json).execute();
    },
    async down(db) {
      await db.schema.alterTable("request_logs").dropColumn("attempt_log").execute();
    },
  };
}
