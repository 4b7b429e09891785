/** PostgreSQL behaviour the contract suite cannot express: surviving the server going away. */
import { afterAll, describe, expect, it, vi } from "vitest";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { makeRow } from "./log-rows.js";
import { dropSchemas, PG_URL, pgAdmin, uniqueSchema } from "./pg-test-db.js";

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

describe("PostgresStore", () => {
  it("survives its pooled connections being killed by the server, then reconnects", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const appName = `liaison_${schema}`;
    const poolErrors: Error[] = [];
    const store = new PostgresStore({
      connectionString: `${PG_URL}?application_name=${appName}`,
      schema,
      onPoolError: (err) => poolErrors.push(err),
    });
    try {
      await store.migrate();
      await store.ping(); // leaves an idle connection in the pool

      // What a server restart does to idle connections. Without the pool's
      // error listener this is an uncaught 'error' event: the process dies.
      const killed = await pgAdmin(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
        [appName],
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      await vi.waitFor(() => expect(poolErrors.length).toBeGreaterThan(0), { timeout: 5000 });

      await store.ping();
      const row = makeRow();
      await store.insertLogs([row]);
      expect(await store.getLog(row.id)).toEqual(row);
    } finally {
      await store.close();
    }
  });

  it("without the schema option, uses and migrates the connection's current schema", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    await pgAdmin(`create schema "${schema}"`);
    // How a deployment would point the gateway at a schema: in the url itself.
    const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const store = new PostgresStore({ connectionString: url });
    try {
      await store.migrate();
      await store.migrate();
      await store.insertLogs([makeRow()]);
      const tables = await pgAdmin<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = $1 order by 1",
        [schema],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(["api_keys", "liaison_migration", "liaison_migration_lock", "prompt_evals", "prompt_labels", "prompts", "request_logs", "response_items", "responses", "spend", "teams", "workflow_runs", "workflows"]);
    } finally {
      await store.close();
    }
  });

  it("fails queries, without crashing, when the server is unreachable", async () => {
    const store = new PostgresStore({ connectionString: "postgres://postgres@127.0.0.1:1/test", connectionTimeoutMs: 2000 });
    try {
      await expect(store.ping()).rejects.toThrow();
      await expect(store.insertLogs([makeRow()])).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
