import type { Migration } from "kysely";
import type { ColumnTypes } from "./column-types.js";

/**
 * The prompt registry (store/prompts/, docs/prompts.md):
 *
 * - prompts: one row per version of a prompt (a POST, a file of ./prompts
 *   that changed, an optimizer's winner), never edited. `template` is the
 *   version's messages, model, params and description as JSON text on both
 *   engines: it comes back exactly as it was given, and nothing queries
 *   inside it.
 * - prompt_labels: movable names for versions (`production`, `staging`), one
 *   row per (prompt, label).
 * - prompt_evals: one row per `liaison prompts eval` run, its whole report
 *   as JSON text; listed per prompt, newest first.
 * - request_logs.prompt / prompt_version: the registry prompt a request was
 *   rendered from (POST /v1/prompts/{name}/completions), null otherwise.
 *   Not indexed: every index is paid by every logged request, and
 *   `?prompt=` is an occasional admin filter that the created_at index
 *   serves well enough.
 */
export function prompts(t: ColumnTypes): Migration {
  return {
    async up(db) {
      await db.schema
        .createTable("prompts")
        .addColumn("name", t.id, (c) => c.notNull())
        .addColumn("version", t.integer, (c) => c.notNull())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("source", t.text, (c) => c.notNull())
        .addColumn("created_by", t.id)
        .addColumn("template", t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint("prompts_pkey", ["name", "version"])
        .execute();

      await db.schema
        .createTable("prompt_labels")
        .addColumn("name", t.id, (c) => c.notNull())
        .addColumn("label", t.id, (c) => c.notNull())
        .addColumn("version", t.integer, (c) => c.notNull())
        .addColumn("updated_at", t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint("prompt_labels_pkey", ["name", "label"])
        .execute();

      await db.schema
        .createTable("prompt_evals")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("prompt", t.id, (c) => c.notNull())
        .addColumn("created_at", t.timestamp, (c) => c.notNull())
        .addColumn("report", t.text, (c) => c.notNull())
        .execute();
      // GET /v1/prompts/{name}/evals: one prompt's evaluations, newest first.
      await db.schema.createIndex("prompt_evals_prompt_idx").on("prompt_evals").columns(["prompt", "created_at", "id"]).execute();

      await db.schema.alterTable("request_logs").addColumn("prompt", t.text).execute();
      await db.schema.alterTable("request_logs").addColumn("prompt_version", t.integer).execute();
    },
    async down(db) {
      await db.schema.alterTable("request_logs").dropColumn("prompt_version").execute();
      await db.schema.alterTable("request_logs").dropColumn("prompt").execute();
      await db.schema.dropTable("prompt_evals").execute();
      await db.schema.dropTable("prompt_labels").execute();
      await db.schema.dropTable("prompts").execute();
    },
  };
}
