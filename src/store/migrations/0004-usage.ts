import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * request_logs.team_id: the team of the key that made the request, copied
 * onto the row when it is written, so `GET /admin/usage?group_by=team`
 * aggregates one table instead of joining keys (whose team may change
 * later: a row keeps the team it was billed to). Its index serves per-team
 * usage and budget reads over a time range, in the same (created_at desc,
 * id desc) order as the other request_logs indexes.
 */
export function usage(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("request_logs").addColumn("team_id", t.text).execute();
      await db.schema
        .createIndex("request_logs_team_id_created_at_idx")
        .on("request_logs")
        .columns(["team_id", "created_at desc", "id desc"])
        .execute();
    },
    async down(db) {
      await db.schema.dropIndex("request_logs_team_id_created_at_idx").execute();
      await db.schema.alterTable("request_logs").dropColumn("team_id").execute();
    },
  };
}
