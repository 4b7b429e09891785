import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * spend: money spent per budget subject (`key:<id>`, `team:<id>`) and period
 * (see store/spend/types.ts). Rows are added to (upsert-add), never
 * rewritten, so batches from several instances simply sum.
 */
export function spend(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("spend")
        .addColumn("subject", t.id, (c) => c.notNull())
        .addColumn("period", t.text, (c) => c.notNull())
        .addColumn("period_start", t.timestamp, (c) => c.notNull())
        .addColumn("usd", t.double, (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint("spend_pkey", ["subject", "period", "period_start"])
        .execute();
      // A starting instance loads the current period of every subject: (period, period_start) equality.
      await db.schema.createIndex("spend_period_idx").on("spend").columns(["period", "period_start"]).execute();
    },
    async down(db) {
      await db.schema.dropTable("spend").execute();
    },
  };
}
