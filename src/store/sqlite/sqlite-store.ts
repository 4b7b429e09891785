/**
 * The default, embedded backend: one SQLite file through better-sqlite3.
 * better-sqlite3 is synchronous, which is fine here because only the
 * LogWriter (off the request path, in batches) and admin reads touch it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { migrateToLatest } from "../migrations/migration-set.js";
import { logRowCodec } from "../sql/log-row-codec.js";
import type { LiaisonDatabase, RequestLogInsert } from "../sql/log-table.js";
import { LOG_COLUMNS } from "../log-query.js";
import { blockInserter } from "./insert-sql.js";
import type { LogRow, LogSink } from "../types.js";
import { InsertWorker } from "./insert-worker-client.js";
import { RowBytes, type RowBlock } from "./row-bytes.js";
import { SqlLogStore } from "../sql/sql-log-store.js";

export interface SqliteStoreOptions {
  /** A file path (relative to the working directory) or ":memory:". */
  filename: string;
  /** How long a writer waits for another connection's lock; default 5000 ms. */
  busyTimeoutMs?: number;
}

// SQLite's compiled-in SQLITE_MAX_VARIABLE_NUMBER (32766 since 3.32; the
// bundled build is far newer), with headroom.
const SQLITE_MAX_BIND_PARAMETERS = 32_000;

/**
 * `sqlite://./liaison.db` → `./liaison.db`, `sqlite:///abs/x.db` → `/abs/x.db`,
 * `sqlite://:memory:` → `:memory:`. Not parsed with URL: file paths are not
 * hostnames, and `./` would be normalised away.
 */
export function sqliteFilenameFromUrl(url: string): string {
  if (!/^sqlite:/i.test(url)) throw new Error(`Not a sqlite: storage url: ${url}`);
  const filename = url.slice("sqlite:".length).replace(/^\/\//, "");
  if (filename === "") throw new Error(`The storage url ${url} names no file; use e.g. sqlite://./liaison.db`);
  return filename;
}

export class SqliteStore extends SqlLogStore {
  private readonly database: Database.Database;
  private insertBlock: ((block: RowBlock) => void) | undefined;
  private writer: InsertWorker | undefined;
  private readonly filename: string;
  private readonly inMemory: boolean;
  private readonly busyTimeoutMs: number;

  constructor(options: SqliteStoreOptions) {
    const inMemory = options.filename === ":memory:" || options.filename === "";
    if (!inMemory) mkdirSync(dirname(options.filename), { recursive: true });
    const database = new Database(options.filename);
    // WAL lets admin reads run while the writer commits; NORMAL is durable
    // across application crashes and only risks the last commits on power
    // loss, which is the right trade for request logs.
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    super({
      engine: "sqlite",
      db: new Kysely<LiaisonDatabase>({ dialect: new SqliteDialect({ database }) }),
      codec: logRowCodec("sqlite"),
      maxBindParameters: SQLITE_MAX_BIND_PARAMETERS,
    });
    this.database = database;
    this.filename = options.filename;
    this.inMemory = inMemory;
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db, "sqlite");
  }

  /**
   * Inserts run on a writer thread of their own (insert-worker.ts) with one
   * prepared single-row INSERT reused inside a transaction — SQLite's fastest
   * path, and none of it on the event loop. An in-memory database cannot be
   * shared with another thread, so it is written here.
   */
  override async insertLogs(rows: LogRow[]): Promise<void> {
    if (rows.length === 0) return;
    const sink = this.logSink();
    return sink.write(rows.map((row) => sink.encode(row)));
  }

  /**
   * Each row is encoded at once as one JSON array of its values in
   * LOG_COLUMNS order, kept as bytes outside the JS heap (row-bytes.ts) and
   * queued as its sequence number; a batch crosses to the writer thread as
   * one transferred buffer. Batches come oldest first (the LogWriter's
   * order), so a row older than a batch being written is one the writer has
   * given up on and its bytes can go.
   */
  logSink(): LogSink<number> {
    const rows = new RowBytes();
    return {
      encode: (row) => rows.append(JSON.stringify(columnValues(this.codec.encode(row)))),
      write: async (batch) => {
        if (batch.length === 0) return;
        rows.releaseBefore(batch[0]!);
        const block = rows.block(batch);
        if (this.inMemory) this.insertHere(block);
        else await (this.writer ??= new InsertWorker(this.filename, this.busyTimeoutMs)).insert(block);
        rows.releaseBefore(batch[batch.length - 1]! + 1);
      },
    };
  }

  private insertHere(block: RowBlock): void {
    (this.insertBlock ??= blockInserter(this.database, LOG_COLUMNS))(block);
  }

  // Kysely only closes the database if it ever ran a query on it.
  protected override async afterDestroy(): Promise<void> {
    await this.writer?.close();
    if (this.database.open) this.database.close();
  }
}

/** One encoded row's values in LOG_COLUMNS order. */
function columnValues(row: RequestLogInsert): unknown[] {
  const out = new Array<unknown>(LOG_COLUMNS.length);
  for (let i = 0; i < LOG_COLUMNS.length; i++) out[i] = row[LOG_COLUMNS[i]!];
  return out;
}
