import type { UsageQuery, UsageRow } from "./usage/usage-types.js";
import type { RoutingQuery, RoutingStats } from "./routing/routing-types.js";

import type { SpendStore } from "./spend/types.js";
import type { LogRetention } from "./retention/types.js";

export type { UsageQuery, UsageRow };

/**
 * Storage contracts. One interface, several backends (SQLite by default,
 * PostgreSQL when `storage.url` is postgres://), exercised by one contract
 * test suite (test/store/contract.test.ts).
 */

/** One row per request: the fields of `GET /admin/logs` (DESIGN.md §2) plus bodies and tags. */
export interface LogRow {
  id: string;                 // the request id (x-request-id)
  created_at: string;         // ISO-8601 UTC, millisecond precision
  endpoint: string;           // e.g. "/v1/chat/completions"
  model: string | null;       // the model name the client sent
  provider: string | null;    // the configured provider name that served it (last attempt)
  upstream_model: string | null;
  status: number;             // HTTP status returned to the client
  error_code: string | null;
  latency_ms: number;
  ttft_ms: number | null;     // streams: time to first token
  attempts: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  cache: string | null;       // hit | semantic-hit | miss | bypass
  /** On a cache hit: what the cached answer cost when it was produced, i.e. what the hit saved. */
  cache_saved_usd: number | null;
  key_id: string | null;
  /** The calling key's team, for usage by team. */
  team_id: string | null;
  trace_id: string | null;
  stream: boolean;
  metadata: Record<string, unknown> | null; // x-liaison-metadata tags
  request_body: unknown | null;   // kept only when logging.bodies is on
  response_body: unknown | null;  // idem; for streams, the assembled response
  /** Every upstream attempt: target, status, latency, error (null for rows without attempts). */
  attempt_log: AttemptLogEntry[] | null;
  /** Learned routing: the router's score for the prompt (0–1) and the target it chose; null otherwise. */
  route_score?: number | null;
  route_target?: string | null;
  /** POST /v1/feedback on the request: its score (0–1) and comment; null until then. */
  feedback_score?: number | null;
  feedback_comment?: string | null;
  /** A completion of a registry prompt (POST /v1/prompts/{name}/completions): its name and version; null otherwise. */
  prompt?: string | null;
  prompt_version?: number | null;
}

/** What POST /v1/feedback stores with a request's row. */
export interface RequestFeedback {
  score: number;
  comment: string | null;
}

export interface AttemptLogEntry {
  provider: string;
  model: string;
  status: number;
  latency_ms: number;
  error: string | null;
  /** Why the gateway moved on: "retry", "fallback", "context_window_fallback", "content_policy_fallback". */
  next?: string;
}

/** The list view: without bodies and the attempt log (GET /admin/logs/{id} has them). */
export type LogSummary = Omit<LogRow, "request_body" | "response_body" | "attempt_log">;

export interface LogQuery {
  since?: string;      // ISO-8601, inclusive
  until?: string;      // ISO-8601, exclusive
  model?: string;
  provider?: string;
  key_id?: string;
  team_id?: string;
  status?: number;
  /** Rows of completions of this registry prompt. */
  prompt?: string;
  limit?: number;      // default 50, max 1000
  cursor?: string;     // opaque, from a previous page's next_cursor
}

export interface LogPage {
  data: LogSummary[];
  next_cursor: string | null;
}

import type { KeyStore } from "./keys/types.js";
import type { ResponseStore } from "./responses/types.js";
import type { WorkflowStore } from "./workflows/types.js";
import type { PromptStore } from "./prompts/types.js";

/**
 * Encodes a row when it is queued; writes a batch of encoded rows (one
 * transaction, throws if nothing was written). Batches come in the order
 * the rows were encoded, and a failed batch is offered again as it was; a
 * row older than the batch being written will not be offered again.
 */
export interface LogSink<T> {
  encode(row: LogRow): T;
  write(batch: T[]): Promise<void>;
}

export interface Store {
  /** "sqlite" | "postgres" — for messages and metrics labels only. */
  readonly kind: string;
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<void>;
  /** Writes rows in one transaction; throws if nothing was written. */
  insertLogs(rows: LogRow[]): Promise<void>;
  /**
   * Optional: the form this store wants queued rows kept in until they are
   * written. Rows wait in the request-log queue for up to a flush interval;
   * encoded at once into one compact value each, they give the garbage
   * collector one object to carry instead of dozens. Without it the queue
   * holds LogRow objects and writes them with insertLogs.
   */
  logSink?(): LogSink<unknown>;
  /** Newest first, cursor-paginated. */
  queryLogs(query: LogQuery): Promise<LogPage>;
  getLog(id: string): Promise<LogRow | undefined>;
  /** Deletes old rows and strips old bodies (logging.retention). */
  retention(): LogRetention;
  /** Where budgets keep spend (same database, same connection). */
  spendStore(): SpendStore;
  /** Aggregates for GET /admin/usage. */
  queryUsage(query: UsageQuery): Promise<UsageRow[]>;
  /** What the request log says about routed models (GET /admin/routing). Optional: without it the page shows no decisions. */
  queryRouting?(query: RoutingQuery): Promise<RoutingStats[]>;
  /** Teams and virtual keys, in the same database (same pool, same migrations). Optional: a store without it means admin-key-only auth. */
  keys?(): KeyStore;
  /** Stored responses (POST /v1/responses with `store`), in the same database. Optional: without it no response is stored. */
  responses?(): ResponseStore;
  /** Workflow definitions and runs (/v1/workflows), in the same database. Optional: without it a gateway keeps them in memory. */
  workflows?(): WorkflowStore;
  /** The prompt registry (/v1/prompts): versions, labels, evaluations, in the same database. Optional: without it a gateway keeps them in memory. */
  prompts?(): PromptStore;
  /** Stores feedback with a request's log row; false when there is no such row. Optional: without it feedback is not kept. */
  setFeedback?(id: string, feedback: RequestFeedback): Promise<boolean>;
  /** Cheap liveness check used by GET /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
