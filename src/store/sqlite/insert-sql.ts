import type Database from "better-sqlite3";
import { blockRows, type RowBlock } from "./row-bytes.js";

/** The single-row INSERT (positional values) that the writer thread and the in-memory path prepare. */
export function insertSql(columns: readonly string[]): string {
  return `INSERT INTO request_logs (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT (id) DO NOTHING`;
}

/** Inserts a block's rows (JSON arrays of values in `columns` order) in one transaction, through one prepared statement. */
export function blockInserter(db: Database.Database, columns: readonly string[]): (block: RowBlock) => void {
  const insert = db.prepare(insertSql(columns));
  const insertMany = db.transaction((rows: string[]) => {
    for (const row of rows) insert.run(JSON.parse(row) as unknown[]);
  });
  return (block) => insertMany(blockRows(block));
}
