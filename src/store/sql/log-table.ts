/**
 * The request_logs table as Kysely sees it, and the codec each SQL engine
 * codec (log-row-codec.ts) uses to turn a LogRow into column values and back.
 */
import type { ColumnType, Insertable, Selectable } from "kysely";

// Column types are unions where the engines disagree on what the driver
// returns (e.g. SQLite hands back JSON text, pg a parsed value); the codec
// narrows them. Rows are never updated, hence `never` for updates.
export interface RequestLogsTable {
  id: string;
  created_at: ColumnType<string | Date, string, never>;
  endpoint: string;
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  attempts: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  cache: string | null;
  cache_saved_usd: number | null;
  key_id: string | null;
  team_id: string | null;
  trace_id: string | null;
  stream: ColumnType<boolean | number, boolean | number, never>;
  metadata: ColumnType<unknown, string | null, never>;
  request_body: ColumnType<unknown, string | null, never>;
  response_body: ColumnType<unknown, string | null, never>;
  attempt_log: ColumnType<unknown, string | null, never>;
  route_score: ColumnType<number | null, number | null, never>;
  route_target: ColumnType<string | null, string | null, never>;
  /** Set later by POST /v1/feedback: the only columns a row's update touches. */
  feedback_score: number | null;
  feedback_comment: string | null;
  prompt: ColumnType<string | null, string | null, never>;
  prompt_version: ColumnType<number | null, number | null, never>;
}

export interface LiaisonDatabase {
  request_logs: RequestLogsTable;
}

export type RequestLogInsert = Insertable<RequestLogsTable>;

/** A selected row before decoding. */
export type RawLogRow = Selectable<RequestLogsTable>;
export type RawLogSummary = Omit<RawLogRow, "request_body" | "response_body" | "attempt_log">;
