/**
 * The shared semantic index in PostgreSQL, for deployments whose shared
 * state is the database (no pgvector needed: scopes are small enough to scan,
 * see scope-vectors.ts).
 *
 * One table, created on first use (CREATE TABLE IF NOT EXISTS) rather than by
 * the store's migrations: it is a cache, owned by this module, safe to drop
 * at any time, and only exists when the semantic cache is configured. Rows
 * carry a sequence id that is renewed on every write, which gives both the
 * age order for eviction and the cursor of each instance's mirror.
 */
import { createRequire } from "node:module";
import type pg from "pg";
import type { CacheErrorHook } from "./exact-store.js";
import type { SemanticIndex, SemanticMatch } from "./semantic-index.js";
import type { VectorEntry } from "./scope-vectors.js";
import { VectorMirror } from "./vector-mirror.js";
import { bytesToVector, unit, vectorToBytes } from "./vectors.js";

export interface PostgresSemanticIndexOptions {
  /** postgres:// URL (the index opens and owns a small pool) or a pool to borrow. */
  postgres: string | pg.Pool;
  /** Schema for the table (created if missing); default: the connection's search_path. */
  schema?: string;
  /** Bound on rows in the table (oldest written first out). */
  maxEntries: number;
  maxEntriesPerScope: number;
  /** Expired rows and the global bound are enforced at most this often; default 10 s. */
  pruneIntervalMs?: number;
  /** Per-query deadline; default 2000 ms. */
  timeoutMs?: number;
  now?: () => number;
  onError?: CacheErrorHook;
}

export const SEMANTIC_TABLE = "liaison_semantic_cache";

// pg is loaded when an index opens its own pool: a gateway without PostgreSQL never loads it.
const require = createRequire(import.meta.url);

/** The newest row a mirror has seen: its id, and its key to recognise it by. */
interface Cursor {
  id: number;
  key: string;
}

// Same rule as the store's schema option: the name goes into DDL unquoted-safe.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresSemanticIndex implements SemanticIndex {
  readonly kind = "postgres";
  readonly #pool: pg.Pool;
  readonly #ownsPool: boolean;
  readonly #table: string;
  readonly #schema: string | undefined;
  readonly #maxEntries: number;
  readonly #cap: number;
  readonly #pruneIntervalMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #onError: CacheErrorHook;
  readonly #mirror: VectorMirror<Cursor>;
  #ready: Promise<void> | undefined;
  #lastPrune = 0;
  #closed = false;

  constructor(options: PostgresSemanticIndexOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new Error(`Invalid PostgreSQL schema name ${JSON.stringify(options.schema)}: use lower-case letters, digits and _`);
    }
    this.#schema = options.schema;
    this.#table = options.schema ? `"${options.schema}".${SEMANTIC_TABLE}` : SEMANTIC_TABLE;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#onError = options.onError ?? (() => {});
    if (typeof options.postgres === "string") {
      const { Pool } = require("pg") as typeof pg;
      this.#pool = new Pool({
        connectionString: options.postgres,
        max: 4,
        // A cache lookup must fail fast and become a miss, not wait for a database that is not there.
        connectionTimeoutMillis: this.#timeoutMs,
        query_timeout: this.#timeoutMs,
        keepAlive: true,
      });
      // An idle client's error (server restarted) is otherwise an unhandled 'error' event.
      this.#pool.on("error", (err) => this.#onError(err, "semantic-search"));
      this.#ownsPool = true;
    } else {
      this.#pool = options.postgres;
      this.#ownsPool = false;
    }
    this.#maxEntries = options.maxEntries;
    this.#cap = options.maxEntriesPerScope;
    this.#pruneIntervalMs = options.pruneIntervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#mirror = new VectorMirror({ maxEntries: options.maxEntries, maxEntriesPerScope: options.maxEntriesPerScope });
  }

  /** Creates the table once; a failure is retried by the next call instead of sticking. */
  #init(): Promise<void> {
    this.#ready ??= this.#create().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async #create(): Promise<void> {
    const t = this.#table;
    const statements = [
      ...(this.#schema ? [`create schema if not exists "${this.#schema}"`] : []),
      `create table if not exists ${t} (
        id bigserial primary key,
        scope text not null,
        key text not null,
        vector bytea not null,
        expires_at bigint not null,
        unique (scope, key)
      )`,
      `create index if not exists ${SEMANTIC_TABLE}_scope_id_idx on ${t} (scope, id)`,
      `create index if not exists ${SEMANTIC_TABLE}_expires_at_idx on ${t} (expires_at)`,
    ];
    for (const text of statements) {
      try {
        await this.#pool.query(text);
      } catch (err) {
        // Two instances starting together can both pass "if not exists" and
        // collide on the catalog; what matters is that the object now exists.
        if ((err as { code?: string }).code !== "23505" && (err as { code?: string }).code !== "42P07") throw err;
      }
    }
  }

  async search(scope: string, vector: Float32Array, threshold: number): Promise<SemanticMatch | undefined> {
    return this.#mirror.search(scope, vector, threshold, this.#now, async () => {
      await this.#init();
      await this.#sync(scope);
    }, this.#onError);
  }

  async #sync(scope: string): Promise<void> {
    const known = this.#mirror.get(scope)?.cursor ?? { id: 0, key: "" };
    // One round trip: the rows written since the cursor, the scope's newest
    // id, and the key now stored at the cursor's id. A different key there
    // (or none) means the table was emptied or recreated and its ids started
    // over: the mirror cannot trust what it holds and starts from scratch.
    const { rows } = await this.#pool.query<{ max_id: string | null; cursor_key: string | null; id: string | null; key: string | null; vector: Buffer | null; expires_at: string | null }>(
      `select m.max_id, c.key as cursor_key, r.id, r.key, r.vector, r.expires_at
         from (select max(id) as max_id from ${this.#table} where scope = $1) m
         left join lateral (select key from ${this.#table} where id = $2 and scope = $1) c on true
         left join lateral (
           select id, key, vector, expires_at from ${this.#table}
            where scope = $1 and id > $2 and expires_at > $3
            order by id limit $4
         ) r on true`,
      [scope, known.id, this.#now(), this.#cap],
    );
    const first = rows[0];
    if (!first || first.max_id === null) {
      this.#mirror.drop(scope);
      return;
    }
    if (known.id > 0 && first.cursor_key !== known.key) {
      this.#mirror.drop(scope);
      return this.#sync(scope);
    }
    let cursor = known;
    const entries: [string, VectorEntry][] = [];
    for (const r of rows) {
      if (r.id === null || r.key === null || r.vector === null || r.expires_at === null) continue;
      cursor = { id: Number(r.id), key: r.key }; // rows come in id order
      const v = bytesToVector(r.vector);
      if (v) entries.push([r.key, { vector: v, expiresAt: Number(r.expires_at) }]);
    }
    this.#mirror.absorb(scope, cursor, entries);
  }

  async add(scope: string, vector: Float32Array, key: string, ttlMs: number): Promise<void> {
    const v = unit(vector);
    if (!v || ttlMs <= 0) return;
    try {
      await this.#init();
      // excluded.id is the fresh sequence value of the proposed row: a rewrite
      // moves the entry to the young end and past every mirror's cursor.
      await this.#pool.query(
        `insert into ${this.#table} (scope, key, vector, expires_at) values ($1, $2, $3, $4)
         on conflict (scope, key) do update set vector = excluded.vector, expires_at = excluded.expires_at, id = excluded.id`,
        [scope, key, vectorToBytes(v), this.#now() + ttlMs],
      );
      await this.#pool.query(
        `delete from ${this.#table} where scope = $1 and id <= (
           select id from ${this.#table} where scope = $1 order by id desc offset $2 limit 1)`,
        [scope, this.#cap],
      );
      await this.#prune();
    } catch (err) {
      this.#onError(err, "semantic-add");
    }
  }

  /** Expired rows and the global bound, at most once per interval (each is an index scan). */
  async #prune(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastPrune < this.#pruneIntervalMs) return;
    this.#lastPrune = now;
    await this.#pool.query(`delete from ${this.#table} where expires_at <= $1`, [now]);
    await this.#pool.query(
      `delete from ${this.#table} where id <= (select id from ${this.#table} order by id desc offset $1 limit 1)`,
      [this.#maxEntries],
    );
  }

  async close(): Promise<void> {
    this.#mirror.clear();
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsPool) await this.#pool.end();
  }
}
