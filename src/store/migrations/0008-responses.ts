import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * Stored responses (POST /v1/responses with `store`, store/responses/):
 *
 * - responses: one row per stored response, readable only by its `owner`
 *   (a team id, a key id, or "admin"). `input` (this request's input
 *   items) and `response` (the Response object, output items included) are
 *   JSON documents kept as text on both engines: they come back exactly as
 *   they were answered (jsonb would reorder their keys, and refuse a NUL a
 *   model may write), and nothing queries inside them.
 * - response_items: which response holds an item id, so an `item_reference`
 *   finds its item without reading every response.
 */
export function responses(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("responses")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("owner", t.id, (c) => c.notNull())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("previous_response_id", t.id)
        .addColumn("input", t.text, (c) => c.notNull())
        .addColumn("response", t.text, (c) => c.notNull())
        .execute();
      // Retention deletes the oldest first.
      await db.schema.createIndex("responses_created_at_idx").on("responses").columns(["created_at", "id"]).execute();

      await db.schema
        .createTable("response_items")
        .addColumn("item_id", t.id, (c) => c.notNull())
        .addColumn("response_id", t.id, (c) => c.notNull())
        .addPrimaryKeyConstraint("response_items_pkey", ["item_id", "response_id"])
        .execute();
      await db.schema.createIndex("response_items_response_id_idx").on("response_items").column("response_id").execute();
    },
    async down(db) {
      await db.schema.dropTable("response_items").execute();
      await db.schema.dropTable("responses").execute();
    },
  };
}
