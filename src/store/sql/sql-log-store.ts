/**
 * The Store behaviour both SQL engines share: one set of Kysely queries,
 * parameterised by a codec (value conversions) and a chunk size (how many rows
 * one INSERT may carry before hitting the engine's bind-variable limit).
 */
import { sql, type Kysely } from "kysely";
import { encodeCursor, LOG_COLUMNS, LOG_SUMMARY_COLUMNS, normalizeLogQuery } from "../log-query.js";
import type { SqlEngine } from "../migrations/column-types.js";
import type { LogPage, LogQuery, LogRow, RequestFeedback, Store } from "../types.js";
import type { LogRowCodec } from "./log-row-codec.js";
import type { LiaisonDatabase, RequestLogInsert } from "./log-table.js";
import { queryUsage, type UsageQuery, type UsageRow } from "../usage/usage-query.js";
import { queryRouting, type RoutingQuery, type RoutingStats } from "../routing/routing-query.js";
import { SqlSpendStore, type SpendDatabase } from "../spend/sql-spend-store.js";
import type { SpendStore } from "../spend/types.js";

export interface SqlLogStoreParts {
  engine: SqlEngine;
  db: Kysely<LiaisonDatabase>;
  codec: LogRowCodec;
  /** The engine's limit on bound parameters per statement. */
  maxBindParameters: number;
}

import { sqlKeyStore } from "../keys/sql-key-store.js";
import type { KeyStore } from "../keys/types.js";
import { sqlResponseStore } from "../responses/sql-response-store.js";
import type { ResponseStore } from "../responses/types.js";
import { sqlWorkflowStore } from "../workflows/sql-workflow-store.js";
import type { WorkflowStore } from "../workflows/types.js";
import { sqlPromptStore } from "../prompts/sql-prompt-store.js";
import type { PromptStore } from "../prompts/types.js";
import { sqlRetention } from "../retention/sql-retention.js";
import type { LogRetention } from "../retention/types.js";

export abstract class SqlLogStore implements Store {
  readonly kind: string;
  private readonly engine: SqlEngine;
  protected readonly db: Kysely<LiaisonDatabase>;
  protected readonly codec: LogRowCodec;
  private readonly rowsPerInsert: number;
  private closed = false;
  private keyStore: KeyStore | undefined;

  protected constructor(parts: SqlLogStoreParts) {
    this.kind = parts.engine;
    this.engine = parts.engine;
    this.db = parts.db;
    this.codec = parts.codec;
    this.rowsPerInsert = Math.max(1, Math.floor(parts.maxBindParameters / LOG_COLUMNS.length));
  }

  abstract migrate(): Promise<void>;

  /** Releases engine resources beyond the Kysely instance (e.g. a file handle). */
  protected async afterDestroy(): Promise<void> {}

  async insertLogs(rows: LogRow[]): Promise<void> {
    if (rows.length === 0) return;
    // Encode everything first: a row that cannot be encoded fails the call
    // before anything is written.
    const values = rows.map((row) => this.codec.encode(row));
    const chunks: RequestLogInsert[][] = [];
    for (let i = 0; i < values.length; i += this.rowsPerInsert) chunks.push(values.slice(i, i + this.rowsPerInsert));

    // ON CONFLICT DO NOTHING makes a retried batch idempotent: if a commit
    // succeeded but its acknowledgement was lost, the LogWriter's retry must
    // not fail forever on duplicate ids.
    const insert = (db: Kysely<LiaisonDatabase>, chunk: RequestLogInsert[]) =>
      db.insertInto("request_logs").values(chunk).onConflict((oc) => oc.column("id").doNothing()).execute();

    if (chunks.length === 1) {
      // One statement is already atomic; skipping BEGIN/COMMIT saves two round trips.
      await insert(this.db, chunks[0]!);
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunks) await insert(trx, chunk);
    });
  }

  retention(): LogRetention {
    return sqlRetention(this.db, this.engine);
  }

  #spend: SpendStore | undefined;
  spendStore(): SpendStore {
    // The same connection seen through the spend table's types (the tables share one database and one migration set).
    return (this.#spend ??= new SqlSpendStore(this.db as unknown as Kysely<SpendDatabase>));
  }

  queryUsage(query: UsageQuery): Promise<UsageRow[]> {
    return queryUsage(this.db, this.engine, query);
  }

  queryRouting(query: RoutingQuery): Promise<RoutingStats[]> {
    return queryRouting(this.db, query);
  }

  async queryLogs(query: LogQuery): Promise<LogPage> {
    const q = normalizeLogQuery(query);
    let select = this.db.selectFrom("request_logs").select(LOG_SUMMARY_COLUMNS);
    if (q.since !== undefined) select = select.where("created_at", ">=", q.since);
    if (q.until !== undefined) select = select.where("created_at", "<", q.until);
    if (q.model !== undefined) select = select.where("model", "=", q.model);
    if (q.provider !== undefined) select = select.where("provider", "=", q.provider);
    if (q.key_id !== undefined) select = select.where("key_id", "=", q.key_id);
    if (q.team_id !== undefined) select = select.where("team_id", "=", q.team_id);
    if (q.status !== undefined) select = select.where("status", "=", q.status);
    if (q.prompt !== undefined) select = select.where("prompt", "=", q.prompt);
    const after = q.after;
    if (after !== undefined) {
      // Row-value comparison (not OFFSET): both engines turn it into one index
      // range condition, so page 1000 costs what page 1 does.
      select = select.where(({ eb, refTuple, tuple }) =>
        eb(refTuple("created_at", "id"), "<", tuple(after.created_at, after.id)),
      );
    }
    // One extra row tells whether another page exists without a COUNT.
    const raw = await select.orderBy("created_at", "desc").orderBy("id", "desc").limit(q.limit + 1).execute();
    const data = raw.slice(0, q.limit).map((r) => this.codec.decodeSummary(r));
    const last = data[data.length - 1];
    const next_cursor = raw.length > q.limit && last !== undefined ? encodeCursor(last) : null;
    return { data, next_cursor };
  }

  async setFeedback(id: string, feedback: RequestFeedback): Promise<boolean> {
    const result = await this.db.updateTable("request_logs")
      .set({ feedback_score: feedback.score, feedback_comment: feedback.comment === null ? null : this.codec.text(feedback.comment) })
      .where("id", "=", id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async getLog(id: string): Promise<LogRow | undefined> {
    const raw = await this.db.selectFrom("request_logs").selectAll().where("id", "=", id).executeTakeFirst();
    return raw === undefined ? undefined : this.codec.decode(raw);
  }

  keys(): KeyStore {
    return (this.keyStore ??= sqlKeyStore(this.db, this.engine));
  }

  #responses: ResponseStore | undefined;
  responses(): ResponseStore {
    return (this.#responses ??= sqlResponseStore(this.db));
  }

  #workflows: WorkflowStore | undefined;
  workflows(): WorkflowStore {
    return (this.#workflows ??= sqlWorkflowStore(this.db));
  }

  #prompts: PromptStore | undefined;
  prompts(): PromptStore {
    return (this.#prompts ??= sqlPromptStore(this.db));
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
    await this.afterDestroy();
  }
}
