/**
 * Migration 0007: the request_logs indexes are ascending (rows append at the
 * end of each index range) and key_id / team_id are indexed only where set.
 * The newest-first pages of GET /admin/logs must still be index range scans
 * read backwards, with no sort, on both engines.
 */
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { makeRows } from "./log-rows.js";
import { dropSchemas, PG_URL, uniqueSchema } from "./pg-test-db.js";
import { PostgresProbe, SqliteProbe } from "./probes.js";

// The shape of SqlLogStore.queryLogs: an equality filter, a cursor, newest first.
const FILTERS = [
  ["created_at", null],
  ["model", "model = 'gpt-4o'"],
  ["provider", "provider = 'openai'"],
  ["status", "status = 200"],
  ["key_id", "key_id = 'key_1'"],
  ["team_id", "team_id = 'team_1'"],
] as const;

const indexOf = (column: string): string => (column === "created_at" ? "request_logs_created_at_idx" : `request_logs_${column}_created_at_idx`);

function pageSql(filter: string | null): string {
  const where = [filter, "(created_at, id) < ('2999-01-01T00:00:00.000Z', 'req_z')"].filter((w) => w !== null);
  return `select id from request_logs where ${where.join(" and ")} order by created_at desc, id desc limit 51`;
}

const rows = makeRows(400).map((r, i) => ({
  ...r,
  model: ["gpt-4o", "claude", "gemini", "llama"][i % 4]!,
  provider: ["openai", "anthropic", "google", "ollama", "azure"][i % 5]!,
  status: [200, 429, 500, 400, 502, 503][i % 6]!,
  key_id: i % 2 === 0 ? null : `key_${i % 5}`, team_id: i % 3 === 0 ? null : `team_${i % 4}`,
}));

describe("request_logs indexes (migration 0007) on SQLite", () => {
  it("are ascending, partial where the column may be null, and serve every logs page without a sort", async () => {
    const store = new SqliteProbe({ filename: ":memory:" });
    await store.migrate();
    await store.insertLogs(rows);
    const defs = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'index' and tbl_name = 'request_logs' and sql is not null order by name`.execute(store.kysely);
    expect(defs.rows).toHaveLength(6);
    for (const { name, sql: ddl } of defs.rows) {
      expect(ddl, name).not.toMatch(/desc/i);
      if (/key_id|team_id/.test(name)) expect(ddl, name).toMatch(/where "(key_id|team_id)" is not null/i);
      else expect(ddl, name).not.toMatch(/where/i);
    }
    for (const [column, filter] of FILTERS) {
      const plan = await sql.raw<{ detail: string }>(`explain query plan ${pageSql(filter)}`).execute(store.kysely);
      const details = plan.rows.map((r) => r.detail).join(" | ");
      expect(details, column).toMatch(new RegExp(`USING (COVERING )?INDEX ${indexOf(column)}\\b`));
      expect(details, column).not.toMatch(/TEMP B-TREE/);
    }
    // And the pages themselves: newest first, only the matching rows.
    const page = await store.queryLogs({ key_id: "key_1", limit: 1000 });
    const expected = rows.filter((r) => r.key_id === "key_1").map((r) => r.id).reverse();
    expect(page.data.map((r) => r.id)).toEqual(expected);
    await store.close();
  });
});

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

describe("request_logs indexes (migration 0007) on PostgreSQL", () => {
  it("serve every logs page as a backward index scan without a sort", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const store = new PostgresProbe({ connectionString: PG_URL, schema });
    await store.migrate();
    await store.insertLogs(rows);
    await store.kysely.connection().execute(async (db) => {
      await sql`analyze request_logs`.execute(db);
      // A 400-row table is cheaper to read whole; make the planner show what it would do on a big one.
      await sql`set enable_seqscan = off`.execute(db);
      await sql`set enable_bitmapscan = off`.execute(db);
      for (const [column, filter] of FILTERS) {
        const plan = await sql.raw<{ "QUERY PLAN": string }>(`explain ${pageSql(filter)}`).execute(db);
        const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
        expect(text, column).toMatch(new RegExp(`Index (Only )?Scan Backward using ${indexOf(column)} `));
        expect(text, column).not.toMatch(/Sort/);
      }
    });
    const page = await store.queryLogs({ team_id: "team_1", limit: 1000 });
    expect(page.data.map((r) => r.id)).toEqual(rows.filter((r) => r.team_id === "team_1").map((r) => r.id).reverse());
    await store.close();
  });
});
