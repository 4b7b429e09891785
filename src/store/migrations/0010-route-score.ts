import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * request_logs: what learned routing adds to a row —
 * - route_score: the router's score for the prompt (0–1, higher = needs a
 *   stronger model), route_target: the target it chose (provider/model);
 * - feedback_score (0–1) and feedback_comment: POST /v1/feedback on the
 *   request. Rows are written once by the log writer; feedback is the one
 *   later update, to these two columns only.
 */
export function routeScore(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("request_logs").addColumn("route_score", t.double).execute();
      await db.schema.alterTable("request_logs").addColumn("route_target", t.text).execute();
      await db.schema.alterTable("request_logs").addColumn("feedback_score", t.double).execute();
      await db.schema.alterTable("request_logs").addColumn("feedback_comment", t.text).execute();
    },
    async down(db) {
      for (const c of ["feedback_comment", "feedback_score", "route_target", "route_score"]) {
        await db.schema.alterTable("request_logs").dropColumn(c).execute();
      }
    },
  };
}
