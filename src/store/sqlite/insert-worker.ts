/**
 * The SQLite writer thread. better-sqlite3 is synchronous and a batch insert
 * into a table with six indexes costs tens of microseconds a row; on the event
 * loop that is CPU taken from every request in flight. Here it runs beside it.
 *
 * Protocol: the worker opens the file at start; then each `{ id, block }`
 * (a RowBlock: rows as JSON arrays of column values, as bytes) is inserted
 * in one transaction and answered `{ id }` or `{ id, error }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { blockInserter } from "./insert-sql.js";
import type { RowBlock } from "./row-bytes.js";

export interface InsertWorkerData {
  filename: string;
  busyTimeoutMs: number;
  columns: readonly string[];
}
/** Each row of the block: a JSON array of its values in `columns` order. */
export interface InsertRequest { id: number; block: RowBlock }
export interface InsertReply { id: number; error?: string }

const { filename, busyTimeoutMs, columns } = workerData as InsertWorkerData;
const db = new Database(filename);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
// Inserts touch only the last pages of the table and of each index: SQLite's
// own 2 MB default is plenty. better-sqlite3 builds SQLite with 16 MB, which
// this connection filled with pages it never reads again (+16 MB RSS, and
// inserts measured ~7 % slower than with the small cache).
db.pragma("cache_size = -2000");
const insertBlock = blockInserter(db, columns);

parentPort!.on("message", (msg: InsertRequest) => {
  let reply: InsertReply;
  try {
    insertBlock(msg.block);
    reply = { id: msg.id };
  } catch (err) {
    reply = { id: msg.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
