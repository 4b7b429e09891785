import { MemoryStore } from "./memory/memory-store.js";
import type { Store } from "./types.js";

export interface CreateStoreOptions {
  /** PostgreSQL only: keep all tables in this schema (created if missing). */
  schema?: string;
}

const ACCEPTED = "sqlite://PATH (e.g. sqlite://./liaison.db), postgres:// or postgresql://, memory:";

/**
 * Opens the store `storage.url` names. It does not migrate: the caller runs
 * `store.migrate()` once at start-up, where a failure can stop the process.
 */
export async function createStore(url: string, options: CreateStoreOptions = {}): Promise<Store> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    // Backends load on demand: a SQLite gateway never pays for the pg driver's memory, and vice versa.
    case "sqlite": {
      const { SqliteStore, sqliteFilenameFromUrl } = await import("./sqlite/sqlite-store.js");
      return new SqliteStore({ filename: sqliteFilenameFromUrl(url) });
    }
    case "postgres":
    case "postgresql": {
      const { PostgresStore } = await import("./postgres/postgres-store.js");
      return new PostgresStore({
        connectionString: url,
        ...(options.schema === undefined ? {} : { schema: options.schema }),
      });
    }
    case "memory":
      return new MemoryStore();
    default:
      throw new Error(`Unsupported storage url ${JSON.stringify(redactPassword(url))}: expected ${ACCEPTED}`);
  }
}

// The url may come straight from config with a password in it; error
// messages end up in logs.
function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
