/** The single-row INSERT (positional values) that the writer thread and the in-memory path prepare. */
export function insertSql(columns: readonly string[]): string {
  return `INSERT INTO request_logs (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT (id) DO NOTHING`;
}
