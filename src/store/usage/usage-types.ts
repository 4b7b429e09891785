/**
 * The shape of `GET /admin/usage`: what a query asks and what a row answers.
 * In a module of their own, importing nothing, so that the Store contract
 * (../types.ts) can name them without importing the query code, which
 * imports the contract back.
 */

export const USAGE_GROUPS = ["day", "hour", "minute", "key", "team", "model", "provider", "prompt"] as const;
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

export interface UsageQuery {
  group_by: UsageGroupBy;
  since?: string; // ISO-8601, inclusive
  until?: string; // ISO-8601, exclusive
  key_id?: string;
  team_id?: string;
}

export interface UsageRow {
  /** day: YYYY-MM-DD (UTC); hour, minute: its start as ISO-8601; else the key/team/model/provider/prompt name (null: none). */
  group: string | null;
  requests: number;
  /** Requests answered with status >= 400. */
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  /** Requests answered from the cache (`hit` or `semantic-hit`). */
  cache_hits: number;
  /** What those hits would have cost (the log rows' cache_saved_usd). */
  cache_saved_usd: number;
  /** Latency percentiles over all requests of the group, in ms. */
  p50_ms: number;
  p95_ms: number;
}
