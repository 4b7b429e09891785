/**
 * The three whole-Store backends a storage contract runs on — memory,
 * SQLite (a fresh file) and the real PostgreSQL (a fresh schema) — and the
 * cleanup of what they left. (Used by the prompt and workflow store tests;
 * src/store/responses/response-store.test.ts still spells the same list out.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/types.js";
import { dropSchemas, PG_URL, uniqueSchema } from "../store/pg-test-db.js";

export function storeBackends(prefix: string): { all: [string, () => Store][]; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), `liaison-${prefix}-`));
  const schemas: string[] = [];
  let files = 0;
  return {
    all: [
      ["memory", () => new MemoryStore()],
      ["sqlite", () => new SqliteStore({ filename: join(dir, `${++files}.db`) })],
      ["postgres", () => {
        const schema = uniqueSchema();
        schemas.push(schema);
        return new PostgresStore({ connectionString: PG_URL, schema });
      }],
    ],
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
      await dropSchemas(schemas);
    },
  };
}
