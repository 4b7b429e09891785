/**
 * Retention for both SQL engines. Every statement touches at most one batch
 * of rows found through the created_at index, so it holds its locks for
 * milliseconds: on SQLite the writer thread's inserts wait at most one batch
 * (well inside busy_timeout), on PostgreSQL each batch is its own short
 * transaction and never blocks inserts of new rows at all.
 */
import type { Kysely } from "kysely";
import { canonicalTimestamp } from "../log-query.js";
import type { SqlEngine } from "../migrations/column-types.js";
import type { LiaisonDatabase, RequestLogsTable } from "../sql/log-table.js";
import { batchSizeOf, yieldToEventLoop, type LogRetention, type RetentionOptions, type StripOptions } from "./types.js";

// log-table.ts types the body columns as never-updated (true of the request
// path); stripping is the one place that nulls them, so it sees the same
// table with those three columns writable.
interface StrippableLogsTable extends Omit<RequestLogsTable, "request_body" | "response_body" | "attempt_log"> {
  request_body: RequestLogsTable["request_body"] | null;
  response_body: RequestLogsTable["response_body"] | null;
  attempt_log: RequestLogsTable["attempt_log"] | null;
}
interface StrippableDatabase {
  request_logs: StrippableLogsTable;
}

export async function deleteOlderThan(db: Kysely<LiaisonDatabase>, engine: SqlEngine, options: RetentionOptions): Promise<number> {
  const batch = batchSizeOf(options, engine);
  const before = canonicalTimestamp(options.before, "before");
  let total = 0;
  while (!options.signal?.aborted) {
    // Oldest first through the created_at index (keyset: deleted rows are
    // gone, so each batch starts where the last one ended, with no OFFSET).
    const result = await db
      .deleteFrom("request_logs")
      .where("id", "in", (eb) =>
        eb.selectFrom("request_logs").select("id").where("created_at", "<", before).orderBy("created_at").limit(batch),
      )
      .executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    total += deleted;
    if (deleted < batch) break;
    await yieldToEventLoop();
  }
  return total;
}

export async function stripBodiesOlderThan(db: Kysely<LiaisonDatabase>, engine: SqlEngine, options: StripOptions): Promise<number> {
  const batch = batchSizeOf(options, engine);
  const before = canonicalTimestamp(options.before, "before");
  const since = options.since === undefined ? undefined : canonicalTimestamp(options.since, "since");
  const sdb = db as unknown as Kysely<StrippableDatabase>;
  let after: { created_at: string; id: string } | undefined;
  let total = 0;
  while (!options.signal?.aborted) {
    // Stripped rows stay in the table, so this walks forward by (created_at,
    // id) over every row in range, a batch at a time whether or not it has
    // bodies: filtering on "has bodies" in the query would let one statement
    // scan an unbounded run of already-stripped rows (seconds, at a million
    // rows — on SQLite, seconds of a blocked event loop).
    let select = sdb
      .selectFrom("request_logs")
      .select((eb) => [
        "id",
        "created_at",
        eb.or([eb("request_body", "is not", null), eb("response_body", "is not", null), eb("attempt_log", "is not", null)]).as("has_bodies"),
      ])
      .where("created_at", "<", before);
    if (since !== undefined) select = select.where("created_at", ">=", since);
    if (after !== undefined) {
      const { created_at, id } = after;
      select = select.where(({ eb, refTuple, tuple }) => eb(refTuple("created_at", "id"), ">", tuple(created_at, id)));
    }
    const found = await select.orderBy("created_at").orderBy("id").limit(batch).execute();
    // SQLite answers 0/1, pg a boolean.
    const ids = found.filter((r) => Boolean(r.has_bodies)).map((r) => r.id);
    if (ids.length > 0) {
      const result = await sdb
        .updateTable("request_logs")
        .set({ request_body: null, response_body: null, attempt_log: null })
        .where("id", "in", ids)
        .executeTakeFirst();
      total += Number(result.numUpdatedRows);
    }
    const last = found[found.length - 1];
    if (last === undefined || found.length < batch) break;
    // pg returns timestamptz as a Date; SQLite the ISO text we stored.
    after = { created_at: last.created_at instanceof Date ? last.created_at.toISOString() : String(last.created_at), id: last.id };
    await yieldToEventLoop();
  }
  return total;
}

export function sqlRetention(db: Kysely<LiaisonDatabase>, engine: SqlEngine): LogRetention {
  return {
    deleteOlderThan: (options) => deleteOlderThan(db, engine, options),
    stripBodiesOlderThan: (options) => stripBodiesOlderThan(db, engine, options),
  };
}
