import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { dropSchemas, PG_URL, uniqueSchema } from "./pg-test-db.js";
import { storeContract } from "./store-contract.js";

storeContract({
  name: "memory",
  async open() {
    const store = new MemoryStore();
    await store.migrate();
    // One process owns a memory store; "another instance" is the same object.
    return { store, reopen: async () => store };
  },
});

const sqliteDir = mkdtempSync(join(tmpdir(), "liaison-store-"));
let sqliteFiles = 0;
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));

storeContract({
  name: "sqlite",
  async open() {
    sqliteFiles += 1;
    // A missing parent directory is part of the contract: the store creates it.
    const filename = join(sqliteDir, `run-${sqliteFiles}`, "logs.db");
    const store = new SqliteStore({ filename });
    await store.migrate();
    return { store, reopen: async () => new SqliteStore({ filename }) };
  },
});

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

storeContract({
  name: "postgres",
  async open() {
    const schema = uniqueSchema();
    schemas.push(schema);
    const store = new PostgresStore({ connectionString: PG_URL, schema });
    await store.migrate();
    return { store, reopen: async () => new PostgresStore({ connectionString: PG_URL, schema }) };
  },
});
