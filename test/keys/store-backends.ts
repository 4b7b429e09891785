/**
 * The three KeyStore backends, each on a fresh database. The SQL ones go
 * through the real SqliteStore / PostgresStore, reaching their Kysely
 * instance the way the lead's wiring does (a `keys()` accessor on the store).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryKeyStore } from "../../src/store/keys/memory-key-store.js";
import { sqlKeyStore } from "../../src/store/keys/sql-key-store.js";
import type { KeyStore } from "../../src/store/keys/types.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { dropSchemas, PG_URL, uniqueSchema } from "../store/pg-test-db.js";

class SqliteWithKeys extends SqliteStore {
  keysForTest(): KeyStore {
    return sqlKeyStore(this.db, "sqlite");
  }
}

class PostgresWithKeys extends PostgresStore {
  keysForTest(): KeyStore {
    return sqlKeyStore(this.db, "postgres");
  }
}

export interface KeyBackend {
  name: string;
  open(): Promise<{ keys: KeyStore; close(): Promise<void>; file?: string; schema?: string }>;
}

export interface KeyBackends {
  all: KeyBackend[];
  cleanup(): Promise<void>;
}

export function keyBackends(): KeyBackends {
  const dir = mkdtempSync(join(tmpdir(), "liaison-keys-"));
  const schemas: string[] = [];
  let files = 0;
  return {
    all: [
      { name: "memory", open: async () => ({ keys: new MemoryKeyStore(), close: async () => {} }) },
      {
        name: "sqlite",
        async open() {
          const file = join(dir, `keys-${++files}.db`);
          const store = new SqliteWithKeys({ filename: file });
          await store.migrate();
          return { keys: store.keysForTest(), close: () => store.close(), file };
        },
      },
      {
        name: "postgres",
        async open() {
          const schema = uniqueSchema();
          schemas.push(schema);
          const store = new PostgresWithKeys({ connectionString: PG_URL, schema });
          await store.migrate();
          return { keys: store.keysForTest(), close: () => store.close(), schema };
        },
      },
    ],
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      await dropSchemas(schemas);
    },
  };
}
