import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * request_logs: one row per gateway request (see LogRow in ../types.ts).
 * Every index ends in (created_at desc, id desc), the order queryLogs pages in,
 * so each filtered page is an index range scan with no sort.
 */
export function requestLogs(t: ColumnTypes): Migration {
  return {
    // `db` is Kysely's untyped handle on purpose: a migration must keep
    // compiling after the app's table types move on.
    async up(db) {
      await db.schema
        .createTable("request_logs")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("endpoint", t.text, (c) => c.notNull())
        .addColumn("model", t.text)
        .addColumn("provider", t.text)
        .addColumn("upstream_model", t.text)
        .addColumn("status", t.integer, (c) => c.notNull())
        .addColumn("error_code", t.text)
        .addColumn("latency_ms", t.double, (c) => c.notNull())
        .addColumn("ttft_ms", t.double)
        .addColumn("attempts", t.integer, (c) => c.notNull())
        .addColumn("prompt_tokens", t.integer)
        .addColumn("completion_tokens", t.integer)
        .addColumn("cost_usd", t.double)
        .addColumn("cache", t.text)
        .addColumn("key_id", t.text)
        .addColumn("trace_id", t.text)
        .addColumn("stream", t.boolean, (c) => c.notNull())
        .addColumn("metadata", t.json)
        .addColumn("request_body", t.json)
        .addColumn("response_body", t.json)
        .execute();

      const order = ["created_at desc", "id desc"];
      await db.schema.createIndex("request_logs_created_at_idx").on("request_logs").columns(order).execute();
      for (const column of ["model", "provider", "key_id", "status"]) {
        await db.schema
          .createIndex(`request_logs_${column}_created_at_idx`)
          .on("request_logs")
          .columns([column, ...order])
          .execute();
      }
    },
    async down(db) {
      await db.schema.dropTable("request_logs").execute();
    },
  };
}
