/** The three backends, each with the retention its store hands out. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore } from "../../../src/store/memory/memory-store.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { LogRetention } from "../../../src/store/retention/types.js";
import { SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../../src/store/types.js";
import { dropSchemas, PG_URL, uniqueSchema } from "../pg-test-db.js";

export interface RetentionBackend {
  store: Store;
  retention: LogRetention;
  close(): Promise<void>;
}

export interface BackendFactory {
  name: string;
  open(): Promise<RetentionBackend>;
  /** Removes temp files and schemas; called once after the suite. */
  cleanup(): Promise<void>;
}

export function memoryBackend(): BackendFactory {
  return {
    name: "memory",
    async open() {
      const store = new MemoryStore();
      return { store, retention: store.retention(), close: () => store.close() };
    },
    async cleanup() {},
  };
}

export function sqliteBackend(): BackendFactory {
  const dir = mkdtempSync(join(tmpdir(), "liaison-retention-"));
  let n = 0;
  return {
    name: "sqlite",
    async open() {
      const store = new SqliteStore({ filename: join(dir, `run-${++n}.db`) });
      await store.migrate();
      return { store, retention: store.retention(), close: () => store.close() };
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): BackendFactory {
  const schemas: string[] = [];
  return {
    name: "postgres",
    async open() {
      const schema = uniqueSchema();
      schemas.push(schema);
      const store = new PostgresStore({ connectionString: PG_URL, schema });
      await store.migrate();
      return { store, retention: store.retention(), close: () => store.close() };
    },
    cleanup: () => dropSchemas(schemas),
  };
}
