/**
 * What every backend does the same way with a LogQuery: validate it, clamp the
 * limit, and turn the opaque cursor into a keyset position. Keeping this in
 * one place is what lets the contract suite expect identical pages from
 * memory, SQLite and PostgreSQL.
 */
import { GatewayError } from "../core/errors.js";
import type { LogQuery, LogRow, LogSummary } from "./types.js";

export const DEFAULT_LOG_LIMIT = 50;
export const MAX_LOG_LIMIT = 1000;

/** A position in the (created_at desc, id desc) order: the last row of a page. */
export interface LogPosition {
  created_at: string;
  id: string;
}

/** A LogQuery after validation: timestamps in canonical ISO form, limit clamped. */
export interface NormalizedLogQuery {
  since?: string;
  until?: string;
  model?: string;
  provider?: string;
  key_id?: string;
  team_id?: string;
  status?: number;
  prompt?: string;
  limit: number;
  after?: LogPosition;
}

/**
 * Canonical timestamp form: `Date#toISOString()` (UTC, milliseconds, `Z`).
 * SQLite stores created_at as this text, so every stored value and every bound
 * must share the exact form for string comparison to equal time comparison.
 */
export function canonicalTimestamp(value: string, what: string): string {
  // Every row the engine logs is already in this form; proving it is ~10x
  // cheaper than the round trip through Date below.
  if (isCanonical(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new GatewayError("invalid_request", `${what} is not a valid ISO-8601 timestamp: ${JSON.stringify(value)}`, {
      param: what,
    });
  }
  return new Date(ms).toISOString();
}

const CANONICAL_SHAPE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `value` is exactly what toISOString() gives for some instant of years 0000-9999. */
function isCanonical(value: string): boolean {
  if (value.length !== 24 || !CANONICAL_SHAPE.test(value)) return false;
  const digit = (i: number): number => value.charCodeAt(i) - 48;
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  if (day <= 28) return true;
  if (month !== 2) return day <= DAYS_IN_MONTH[month - 1]!;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (leap ? 29 : 28);
}

export function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LOG_LIMIT;
  return Math.min(MAX_LOG_LIMIT, Math.max(1, Math.floor(limit)));
}

/** base64url keeps the cursor safe in a query string without further escaping. */
export function encodeCursor(position: LogPosition): string {
  return Buffer.from(JSON.stringify([position.created_at, position.id]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): LogPosition {
  const invalid = (): GatewayError =>
    new GatewayError("invalid_request", "Invalid cursor: pass next_cursor from a previous page unchanged.", {
      param: "cursor",
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, id] = parsed as unknown[];
  if (typeof createdAt !== "string" || typeof id !== "string") throw invalid();
  const ms = Date.parse(createdAt);
  if (Number.isNaN(ms)) throw invalid();
  return { created_at: new Date(ms).toISOString(), id };
}

export function normalizeLogQuery(query: LogQuery): NormalizedLogQuery {
  const out: NormalizedLogQuery = { limit: clampLimit(query.limit) };
  if (query.since !== undefined) out.since = canonicalTimestamp(query.since, "since");
  if (query.until !== undefined) out.until = canonicalTimestamp(query.until, "until");
  if (query.model !== undefined) out.model = query.model;
  if (query.provider !== undefined) out.provider = query.provider;
  if (query.key_id !== undefined) out.key_id = query.key_id;
  if (query.team_id !== undefined) out.team_id = query.team_id;
  if (query.status !== undefined) out.status = query.status;
  if (query.prompt !== undefined) out.prompt = query.prompt;
  if (query.cursor !== undefined && query.cursor !== "") out.after = decodeCursor(query.cursor);
  return out;
}

/** The summary fields in the order of `GET /admin/logs`; also the SQL select list. */
export const LOG_SUMMARY_COLUMNS = [
  "id",
  "created_at",
  "endpoint",
  "model",
  "provider",
  "upstream_model",
  "status",
  "error_code",
  "latency_ms",
  "ttft_ms",
  "attempts",
  "prompt_tokens",
  "completion_tokens",
  "cost_usd",
  "cache",
  "cache_saved_usd",
  "key_id",
  "team_id",
  "trace_id",
  "stream",
  "metadata",
  "route_score",
  "route_target",
  "feedback_score",
  "feedback_comment",
  "prompt",
  "prompt_version",
] as const satisfies readonly (keyof LogSummary)[];

/** Every LogRow field, each one column. */
export const LOG_COLUMNS = [...LOG_SUMMARY_COLUMNS, "request_body", "response_body", "attempt_log"] as const satisfies readonly (keyof LogRow)[];

/** The newest-first comparator shared by the memory backend and the tests. */
export function compareNewestFirst(a: LogPosition, b: LogPosition): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}
