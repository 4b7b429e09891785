/**
 * A spend store on `storage.url` with a connection of its own: a second
 * SQLite connection (WAL lets it write beside the log writer) or a small pg
 * pool. The main Store's migrate() creates the table; run it first.
 */
import { Kysely } from "kysely";
import { MemorySpendStore } from "./memory-spend-store.js";
import { SqlSpendStore, type SpendDatabase } from "./sql-spend-store.js";
import type { SpendStore } from "./types.js";

export interface OpenSpendStoreOptions {
  /** PostgreSQL: the schema the main store uses. */
  schema?: string;
}

export async function openSpendStore(url: string, options: OpenSpendStoreOptions = {}): Promise<SpendStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "memory":
      return new MemorySpendStore();
    // Drivers load on demand, as in create-store.ts.
    case "sqlite": {
      const [{ default: Database }, { SqliteDialect }, { sqliteFilenameFromUrl }] = await Promise.all([
        import("better-sqlite3"), import("kysely"), import("../sqlite/sqlite-store.js"),
      ]);
      const filename = sqliteFilenameFromUrl(url);
      if (filename === ":memory:") {
        throw new Error("A spend store cannot open a second connection to sqlite://:memory:; give SqlSpendStore the main store's Kysely instead");
      }
      const database = new Database(filename);
      database.pragma("journal_mode = WAL");
      database.pragma("busy_timeout = 5000");
      return new SqlSpendStore(new Kysely<SpendDatabase>({ dialect: new SqliteDialect({ database }) }), { owned: true });
    }
    case "postgres":
    case "postgresql": {
      const [{ default: pg }, { PostgresDialect }] = await Promise.all([import("pg"), import("kysely")]);
      const schema = options.schema;
      // The name goes into a connection option, where it cannot be a bind parameter.
      if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
      const pool = new pg.Pool({
        connectionString: url,
        max: 2, // batched writes off the hot path and one load at start
        connectionTimeoutMillis: 10_000,
        query_timeout: 30_000,
        keepAlive: true,
        ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
      });
      pool.on("error", () => {}); // an idle client's error would otherwise crash the process; the next query reports it
      pool.on("connect", (client) => client.on("error", () => {})); // so would a checked-out one's (Kysely queries on those); its query fails with it
      return new SqlSpendStore(new Kysely<SpendDatabase>({ dialect: new PostgresDialect({ pool }) }), { owned: true });
    }
    default:
      throw new Error("Unsupported storage url for the spend store: expected sqlite://, postgres:// or memory:");
  }
}
