/**
 * The few column types that differ between the two SQL engines. Migrations are
 * written once against these names, so SQLite and PostgreSQL share one
 * migration set and cannot drift apart.
 */
import { sql, type ColumnDataType, type Expression } from "kysely";

export type SqlEngine = "sqlite" | "postgres";

type ColumnType = ColumnDataType | Expression<unknown>;

export interface ColumnTypes {
  readonly engine: SqlEngine;
  /** Primary keys and other identifiers compared with `<`: byte order on both engines. */
  readonly id: ColumnType;
  readonly text: ColumnType;
  /** SQLite: ISO-8601 text (sorts like time); PostgreSQL: timestamptz. */
  readonly timestamp: ColumnType;
  readonly integer: ColumnType;
  readonly double: ColumnType;
  /** SQLite: integer 0/1; PostgreSQL: boolean. */
  readonly boolean: ColumnType;
  /** SQLite: JSON text; PostgreSQL: jsonb. */
  readonly json: ColumnType;
}

const SQLITE: ColumnTypes = {
  engine: "sqlite",
  id: "text", // SQLite's default BINARY collation already is byte order
  text: "text",
  timestamp: "text",
  integer: "integer",
  double: "real",
  boolean: "integer",
  json: "text",
};

const POSTGRES: ColumnTypes = {
  engine: "postgres",
  // "C" makes keyset pagination order ids by bytes, exactly like SQLite and the
  // memory store, whatever the database's locale is.
  id: sql`text collate "C"`,
  text: "text",
  timestamp: "timestamptz",
  integer: "integer",
  double: "double precision",
  boolean: "boolean",
  json: "jsonb",
};

export function columnTypesFor(engine: SqlEngine): ColumnTypes {
  return engine === "sqlite" ? SQLITE : POSTGRES;
}
