export type { LogPage, LogQuery, LogRow, LogSummary, Store } from "./types.js";
export { createStore, type CreateStoreOptions } from "./create-store.js";
export { MemoryStore } from "./memory/memory-store.js";
export { SqliteStore, sqliteFilenameFromUrl, type SqliteStoreOptions } from "./sqlite/sqlite-store.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres/postgres-store.js";
export {
  LogWriter,
  LOG_WRITER_DEFAULTS,
  type DropReason,
  type LogWriterHooks,
  type LogWriterOptions,
} from "./log-writer.js";
export { DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT, encodeCursor, decodeCursor } from "./log-query.js";
export { liaisonMigrations, migrateToLatest } from "./migrations/migration-set.js";
