/**
 * LogRow ⇄ column values. The two SQL engines differ only here (booleans,
 * timestamps, JSON), never in the queries, so both stores share one query
 * implementation (sql-log-store.ts) and this one mapper.
 */
import { canonicalTimestamp } from "../log-query.js";
import type { SqlEngine } from "../migrations/column-types.js";
import type { LogRow, LogSummary } from "../types.js";
import type { RawLogRow, RawLogSummary, RequestLogInsert } from "./log-table.js";

export interface LogRowCodec {
  encode(row: LogRow): RequestLogInsert;
  /** A text value as this engine stores it (PostgreSQL: NUL and lone surrogates replaced). */
  text(value: string): string;
  decodeSummary(raw: RawLogSummary): LogSummary;
  decode(raw: RawLogRow): LogRow;
}

// PostgreSQL rejects NUL in text and jsonb, and jsonb rejects unpaired
// surrogates. Either would fail the whole batch, every retry, and lose 500
// rows for one odd character in a prompt; U+FFFD keeps the rest of the row.
const PG_UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function pgSafe(value: string): string {
  return value.replace(PG_UNSAFE, "\uFFFD");
}

function pgSafeOrNull(value: string | null): string | null {
  return value === null ? null : pgSafe(value);
}

export function logRowCodec(engine: SqlEngine): LogRowCodec {
  const pg = engine === "postgres";
  const text = pg ? pgSafeOrNull : (value: string | null): string | null => value;

  const encodeJson = (value: unknown): string | null => {
    if (value === null || value === undefined) return null;
    const json = pg
      ? JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? pgSafe(v) : v))
      : JSON.stringify(value);
    // JSON.stringify returns undefined for functions/symbols: store them as absent.
    return json === undefined ? null : json;
  };

  // pg parses jsonb itself; SQLite hands back the text we stored.
  const decodeJson = (value: unknown): unknown => {
    if (value === null || value === undefined) return null;
    return typeof value === "string" && !pg ? (JSON.parse(value) as unknown) : value;
  };

  const decodeSummary = (raw: RawLogSummary): LogSummary => ({
    id: raw.id,
    created_at: raw.created_at instanceof Date ? raw.created_at.toISOString() : raw.created_at,
    endpoint: raw.endpoint,
    model: raw.model,
    provider: raw.provider,
    upstream_model: raw.upstream_model,
    status: raw.status,
    error_code: raw.error_code,
    latency_ms: raw.latency_ms,
    ttft_ms: raw.ttft_ms,
    attempts: raw.attempts,
    prompt_tokens: raw.prompt_tokens,
    completion_tokens: raw.completion_tokens,
    cost_usd: raw.cost_usd,
    cache: raw.cache,
    cache_saved_usd: raw.cache_saved_usd ?? null,
    key_id: raw.key_id,
    team_id: raw.team_id ?? null,
    trace_id: raw.trace_id,
    stream: typeof raw.stream === "boolean" ? raw.stream : raw.stream !== 0,
    metadata: decodeJson(raw.metadata) as Record<string, unknown> | null,
    route_score: raw.route_score ?? null,
    route_target: raw.route_target ?? null,
    feedback_score: raw.feedback_score ?? null,
    feedback_comment: raw.feedback_comment ?? null,
    prompt: raw.prompt ?? null,
    prompt_version: raw.prompt_version ?? null,
  });

  return {
    text: (value) => (pg ? pgSafe(value) : value),
    encode: (row) => ({
      id: pg ? pgSafe(row.id) : row.id,
      created_at: canonicalTimestamp(row.created_at, "created_at"),
      endpoint: pg ? pgSafe(row.endpoint) : row.endpoint,
      model: text(row.model ?? null),
      provider: text(row.provider ?? null),
      upstream_model: text(row.upstream_model ?? null),
      status: row.status,
      error_code: text(row.error_code ?? null),
      latency_ms: row.latency_ms,
      ttft_ms: row.ttft_ms ?? null,
      attempts: row.attempts,
      prompt_tokens: row.prompt_tokens ?? null,
      completion_tokens: row.completion_tokens ?? null,
      cost_usd: row.cost_usd ?? null,
      cache: text(row.cache ?? null),
      cache_saved_usd: row.cache_saved_usd ?? null,
      key_id: text(row.key_id ?? null),
      team_id: text(row.team_id ?? null),
      trace_id: text(row.trace_id ?? null),
      stream: pg ? row.stream : row.stream ? 1 : 0,
      metadata: encodeJson(row.metadata),
      request_body: encodeJson(row.request_body),
      response_body: encodeJson(row.response_body),
      attempt_log: encodeJson(row.attempt_log ?? null),
      route_score: row.route_score ?? null,
      route_target: text(row.route_target ?? null),
      feedback_score: row.feedback_score ?? null,
      feedback_comment: text(row.feedback_comment ?? null),
      prompt: text(row.prompt ?? null),
      prompt_version: row.prompt_version ?? null,
    }),
    decodeSummary,
    decode: (raw) => ({
      ...decodeSummary(raw),
      request_body: decodeJson(raw.request_body),
      response_body: decodeJson(raw.response_body),
      attempt_log: (decodeJson(raw.attempt_log ?? null) as LogRow["attempt_log"]) ?? null,
    }),
  };
}
