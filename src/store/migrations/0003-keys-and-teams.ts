import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * teams and api_keys (virtual keys). A key's secret is never stored: only the
 * sha256 of the whole key (unique, the auth lookup) and its visible prefix.
 * Limit columns are null when unset ("no limit of this kind").
 */
export function keysAndTeams(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("teams")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("name", t.text, (c) => c.notNull().unique())
        .addColumn("rpm", t.integer)
        .addColumn("tpm", t.integer)
        .addColumn("max_parallel", t.integer)
        .addColumn("budget_usd", t.double)
        .addColumn("budget_period", t.text)
        .addColumn("models", t.json)
        .addColumn("metadata", t.json)
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("api_keys")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("name", t.text, (c) => c.notNull())
        // SQLite only enforces this with PRAGMA foreign_keys on; the admin API checks the team exists either way.
        .addColumn("team_id", t.id, (c) => c.references("teams.id"))
        .addColumn("role", t.text, (c) => c.notNull())
        .addColumn("key_prefix", t.text, (c) => c.notNull())
        .addColumn("key_hash", t.text, (c) => c.notNull())
        .addColumn("models", t.json)
        .addColumn("rpm", t.integer)
        .addColumn("tpm", t.integer)
        .addColumn("max_parallel", t.integer)
        .addColumn("budget_usd", t.double)
        .addColumn("budget_period", t.text)
        .addColumn("expires_at", t.timestamp)
        .addColumn("metadata", t.json)
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .addColumn("revoked_at", t.timestamp)
        .addColumn("last_used_at", t.timestamp)
        .execute();

      await db.schema.createIndex("api_keys_key_hash_idx").on("api_keys").column("key_hash").unique().execute();
      await db.schema.createIndex("api_keys_team_id_idx").on("api_keys").columns(["team_id", "created_at"]).execute();
    },
    async down(db) {
      await db.schema.dropTable("api_keys").execute();
      await db.schema.dropTable("teams").execute();
    },
  };
}
