/**
 * The shared backend: PostgreSQL through a pg Pool, for several gateway
 * processes writing to one database.
 */
import { Kysely, sql } from "kysely";
import pg from "pg";
import { migrateToLatest } from "../migrations/migration-set.js";
import { logRowCodec } from "../sql/log-row-codec.js";
import type { LiaisonDatabase } from "../sql/log-table.js";
import { SqlLogStore } from "../sql/sql-log-store.js";
import { ScopedPostgresDialect } from "./scoped-introspector.js";

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  connectionString: string;
  /**
   * Keep every table in this schema (created if missing) instead of the
   * connection's default; tests use it to isolate runs.
   */
  schema?: string;
  /** Pool size; default 10. */
  maxConnections?: number;
  /** How long to wait for a connection before a query fails; default 10000 ms. */
  connectionTimeoutMs?: number;
  /**
   * Client-side limit per query; default 30000 ms. Without it a connection
   * cut without a FIN (network partition) would hang the LogWriter's single
   * in-flight write indefinitely instead of letting it retry.
   */
  queryTimeoutMs?: number;
  /**
   * Errors of idle pooled connections (e.g. the server restarted). They are
   * otherwise swallowed: the next query gets a fresh connection or fails and
   * reports through its caller.
   */
  onPoolError?: (err: Error) => void;
}

// The protocol allows 65535 bind parameters per statement.
const PG_MAX_BIND_PARAMETERS = 65_000;

// Lower case only: search_path folds unquoted names to lower case while the
// DDL quotes them, so "MySchema" would be created and then never found.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStore extends SqlLogStore {
  private readonly schema: string | undefined;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema;
    // The name goes into a connection option and DDL, where it cannot be a
    // bind parameter; a strict pattern rules out injection and quoting bugs.
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
    }
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
      keepAlive: true,
      // Set at connection start, so every pooled connection resolves the
      // unqualified table names to our schema, including ones opened later.
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // Without a listener, an idle client's error (server gone) is an
    // unhandled 'error' event and takes the whole process down.
    const onPoolError = options.onPoolError;
    pool.on("error", (err) => onPoolError?.(err));
    // Nor may a checked-out client's: pg-pool listens only while a client is
    // idle, and Kysely queries on checked-out clients, so a connection reset
    // mid-query (the database restarting, a partition ending) was an
    // uncaught exception. The query itself still fails with the error.
    pool.on("connect", (client) => client.on("error", (err) => onPoolError?.(err)));
    super({
      engine: "postgres",
      db: new Kysely<LiaisonDatabase>({ dialect: new ScopedPostgresDialect({ pool }, schema) }),
      codec: logRowCodec("postgres"),
      maxBindParameters: PG_MAX_BIND_PARAMETERS,
    });
    this.schema = schema;
  }

  async migrate(): Promise<void> {
    let schema = this.schema;
    if (schema !== undefined) {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(this.db).catch(async (err: unknown) => {
        // Two processes racing on "if not exists" can still collide; fine if it now exists.
        const found = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(this.db);
        if (found.rows.length === 0) throw err;
      });
    } else {
      const current = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(this.db);
      schema = current.rows[0]?.schema ?? "public";
    }
    await migrateToLatest(this.db, "postgres", { schema });
  }
}
