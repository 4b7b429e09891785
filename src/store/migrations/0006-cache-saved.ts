import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * request_logs.cache_saved_usd: on a cache hit, what the cached answer cost
 * when it was first produced — the money the hit saved (null otherwise).
 */
export function cacheSaved(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema.alterTable("request_logs").addColumn("cache_saved_usd", t.double).execute();
    },
    async down(db) {
      await db.schema.alterTable("request_logs").dropColumn("cache_saved_usd").execute();
    },
  };
}
