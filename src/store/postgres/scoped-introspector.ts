/**
 * Kysely's Migrator asks the introspector whether its bookkeeping tables
 * exist. The stock PostgreSQL introspector lists every table of every schema
 * and resolves each by name (pg_get_serial_sequence), so it fails outright
 * when any schema in the database is dropped at that moment — another app's
 * migration, or a parallel test run cleaning up. This one only reads the
 * catalog rows of the schema we migrate, and never resolves names, so other
 * schemas' DDL cannot break our start-up.
 */
import {
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  type PostgresDialectConfig,
  type SchemaMetadata,
  type TableMetadata,
} from "kysely";

class ScopedIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string | undefined,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const result = await sql<SchemaMetadata>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return result.rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const schema = this.schema === undefined ? sql`current_schema()` : sql`${this.schema}`;
    const result = await sql<{ name: string; schema: string; is_view: boolean }>`
      select c.relname as name, n.nspname as schema, c.relkind in ('v', 'm') as is_view
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm') and n.nspname = ${schema}`.execute(this.db);
    // Column details are not needed by the Migrator, the only caller.
    return result.rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.is_view, columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** PostgresDialect whose introspection only sees `schema` (or current_schema()). */
export class ScopedPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string | undefined,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new ScopedIntrospector(db, this.schema);
  }
}
