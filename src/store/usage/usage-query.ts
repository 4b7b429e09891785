/**
 * Usage analytics over request_logs: `GET /admin/usage` (DESIGN.md §2).
 * Counts, token and cost sums are SQL aggregates on both engines.
 * Percentiles follow PostgreSQL's percentile_cont (linear interpolation
 * between the two nearest ranks):
 * - PostgreSQL computes them itself, in the same statement;
 * - SQLite has no percentile function, so a window query ranks latencies
 *   per group and returns only the (at most four) rows around the 50th and
 *   95th percentile positions; the interpolation is done here. No group's
 *   full latency list ever leaves the database.
 * The memory backend does the same arithmetic over its rows, and all three
 * sort the result here, so they answer identically.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import { GatewayError } from "../../core/errors.js";
import { canonicalTimestamp } from "../log-query.js";
import type { SqlEngine } from "../migrations/column-types.js";
import type { LiaisonDatabase } from "../sql/log-table.js";
import type { LogRow } from "../types.js";
import { USAGE_GROUPS, type UsageGroupBy, type UsageQuery, type UsageRow } from "./usage-types.js";

// Re-exported: the admin route and the tests import the query types from here.
export { USAGE_GROUPS, type UsageGroupBy, type UsageQuery, type UsageRow };

/** The log fields usage reads; team_id is optional until every row carries it. */
export type UsageLogRow = Pick<LogRow, "created_at" | "model" | "provider" | "key_id" | "status" | "latency_ms" | "prompt_tokens" | "completion_tokens" | "cost_usd"> & {
  cache?: string | null;
  cache_saved_usd?: number | null;
  team_id?: string | null;
  prompt?: string | null;
};

/** Validates a query: a known group_by, canonical timestamps (400 with the param otherwise). */
export function normalizeUsageQuery(q: UsageQuery): UsageQuery {
  if (!(USAGE_GROUPS as readonly string[]).includes(q.group_by)) {
    throw new GatewayError("invalid_request", `group_by must be one of ${USAGE_GROUPS.join(", ")}.`, { param: "group_by" });
  }
  const out: UsageQuery = { group_by: q.group_by };
  if (q.since !== undefined) out.since = canonicalTimestamp(q.since, "since");
  if (q.until !== undefined) out.until = canonicalTimestamp(q.until, "until");
  if (q.key_id !== undefined) out.key_id = q.key_id;
  if (q.team_id !== undefined) out.team_id = q.team_id;
  return out;
}

const PERCENTILES = [0.5, 0.95] as const;
const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** percentile_cont over ascending values given by rank (0-based) lookup. */
function interpolate(n: number, p: number, at: (rank: number) => number): number {
  const pos = (n - 1) * p;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  const a = at(lo);
  return frac === 0 || lo + 1 >= n ? a : a + frac * (at(lo + 1) - a);
}

const isTimeGroup = (g: UsageGroupBy): boolean => g === "day" || g === "hour" || g === "minute";
const CACHE_HITS = ["hit", "semantic-hit"];

/** Time groups oldest first; the others by cost, then requests, then name (no group last). */
function sortRows(rows: UsageRow[], by: UsageGroupBy): UsageRow[] {
  const byName = (a: UsageRow, b: UsageRow): number =>
    a.group === b.group ? 0 : a.group === null ? 1 : b.group === null ? -1 : a.group < b.group ? -1 : 1;
  return rows.sort(isTimeGroup(by) ? byName : (a, b) => b.cost_usd - a.cost_usd || b.requests - a.requests || byName(a, b));
}

function groupExpr(engine: SqlEngine, by: UsageGroupBy): RawBuilder<string | null> {
  switch (by) {
    // SQLite keeps created_at as canonical ISO text, so a prefix is the UTC day/hour.
    case "day":
      return engine === "sqlite" ? sql`substr(created_at, 1, 10)` : sql`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`;
    case "hour":
      return engine === "sqlite"
        ? sql`substr(created_at, 1, 13) || ':00:00.000Z'`
        : sql`to_char(date_trunc('hour', created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00.000"Z"')`;
    case "minute":
      return engine === "sqlite"
        ? sql`substr(created_at, 1, 16) || ':00.000Z'`
        : sql`to_char(date_trunc('minute', created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:00.000"Z"')`;
    case "key":
      return sql`key_id`;
    case "team":
      return sql`team_id`;
    case "model":
      return sql`model`;
    case "provider":
      return sql`provider`;
    case "prompt":
      return sql`prompt`;
  }
}

interface AggregateRow {
  g: string | null;
  requests: number | string;
  errors: number | string;
  prompt_tokens: number | string;
  completion_tokens: number | string;
  cost_usd: number | string;
  cache_hits: number | string;
  cache_saved_usd: number | string;
  p50?: number | null;
  p95?: number | null;
}

/** Usage per group from request_logs on SQLite or PostgreSQL. */
export async function queryUsage(db: Kysely<LiaisonDatabase>, engine: SqlEngine, query: UsageQuery): Promise<UsageRow[]> {
  const q = normalizeUsageQuery(query);
  const g = groupExpr(engine, q.group_by);
  const conditions: RawBuilder<unknown>[] = [];
  if (q.since !== undefined) conditions.push(sql`created_at >= ${q.since}`);
  if (q.until !== undefined) conditions.push(sql`created_at < ${q.until}`);
  if (q.key_id !== undefined) conditions.push(sql`key_id = ${q.key_id}`);
  if (q.team_id !== undefined) conditions.push(sql`team_id = ${q.team_id}`);
  const where = conditions.length === 0 ? sql`` : sql`where ${sql.join(conditions, sql` and `)}`;

  const percentiles = engine === "postgres"
    ? sql`, percentile_cont(0.5) within group (order by latency_ms) as p50, percentile_cont(0.95) within group (order by latency_ms) as p95`
    : sql``;
  // pg returns count/sum of integers as bigint text: Number() below.
  const aggregates = await sql<AggregateRow>`
    select ${g} as g,
      count(*) as requests,
      coalesce(sum(case when status >= 400 then 1 else 0 end), 0) as errors,
      coalesce(sum(prompt_tokens), 0) as prompt_tokens,
      coalesce(sum(completion_tokens), 0) as completion_tokens,
      coalesce(sum(cost_usd), 0) as cost_usd,
      coalesce(sum(case when cache in ('hit', 'semantic-hit') then 1 else 0 end), 0) as cache_hits,
      coalesce(sum(cache_saved_usd), 0) as cache_saved_usd
      ${percentiles}
    from request_logs ${where}
    group by 1`.execute(db);

  let latency = (_group: string | null, _p: number): number => 0;
  if (engine === "sqlite") {
    // Only the ranks percentile_cont interpolates between: floor((n-1)p)+1 and the next, 1-based.
    const ranked = await sql<{ g: string | null; rn: number; v: number }>`
      with ranked as (
        select ${g} as g, latency_ms as v,
          row_number() over (partition by ${g} order by latency_ms) as rn,
          count(*) over (partition by ${g}) as n
        from request_logs ${where}
      )
      select g, rn, v from ranked
      where rn in (cast((n - 1) * 0.5 as integer) + 1, cast((n - 1) * 0.5 as integer) + 2,
                   cast((n - 1) * 0.95 as integer) + 1, cast((n - 1) * 0.95 as integer) + 2)`.execute(db);
    const values = new Map<string | null, Map<number, number>>();
    for (const r of ranked.rows) {
      let m = values.get(r.g);
      if (!m) values.set(r.g, (m = new Map()));
      m.set(Number(r.rn) - 1, Number(r.v));
    }
    const counts = new Map(aggregates.rows.map((r) => [r.g, Number(r.requests)]));
    latency = (group, p) => interpolate(counts.get(group) ?? 0, p, (rank) => values.get(group)?.get(rank) ?? 0);
  }

  return sortRows(aggregates.rows.map((r) => ({
    group: r.g,
    requests: Number(r.requests),
    errors: Number(r.errors),
    prompt_tokens: Number(r.prompt_tokens),
    completion_tokens: Number(r.completion_tokens),
    cost_usd: round(Number(r.cost_usd), 10),
    cache_hits: Number(r.cache_hits),
    cache_saved_usd: round(Number(r.cache_saved_usd), 10),
    p50_ms: round(engine === "postgres" ? Number(r.p50 ?? 0) : latency(r.g, PERCENTILES[0]), 3),
    p95_ms: round(engine === "postgres" ? Number(r.p95 ?? 0) : latency(r.g, PERCENTILES[1]), 3),
  })), q.group_by);
}

function groupOf(row: UsageLogRow, by: UsageGroupBy): string | null {
  switch (by) {
    case "day":
      return row.created_at.slice(0, 10);
    case "hour":
      return `${row.created_at.slice(0, 13)}:00:00.000Z`;
    case "minute":
      return `${row.created_at.slice(0, 16)}:00.000Z`;
    case "key":
      return row.key_id;
    case "team":
      return row.team_id ?? null;
    case "model":
      return row.model;
    case "provider":
      return row.provider;
    case "prompt":
      return row.prompt ?? null;
  }
}

/** The same answer over rows in memory (the memory store; tests). */
export function queryUsageInMemory(rows: Iterable<UsageLogRow>, query: UsageQuery): UsageRow[] {
  const q = normalizeUsageQuery(query);
  const groups = new Map<string | null, { row: UsageRow; latencies: number[] }>();
  for (const r of rows) {
    // Rows in a memory store are canonical already; canonicalising again keeps foreign input honest.
    const created = canonicalTimestamp(r.created_at, "created_at");
    if (q.since !== undefined && created < q.since) continue;
    if (q.until !== undefined && created >= q.until) continue;
    if (q.key_id !== undefined && r.key_id !== q.key_id) continue;
    if (q.team_id !== undefined && (r.team_id ?? null) !== q.team_id) continue;
    const key = groupOf({ ...r, created_at: created }, q.group_by);
    let g = groups.get(key);
    if (!g) {
      g = { row: { group: key, requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, cache_hits: 0, cache_saved_usd: 0, p50_ms: 0, p95_ms: 0 }, latencies: [] };
      groups.set(key, g);
    }
    g.row.requests += 1;
    if (r.status >= 400) g.row.errors += 1;
    g.row.prompt_tokens += r.prompt_tokens ?? 0;
    g.row.completion_tokens += r.completion_tokens ?? 0;
    g.row.cost_usd += r.cost_usd ?? 0;
    if (CACHE_HITS.includes(r.cache ?? "")) g.row.cache_hits += 1;
    g.row.cache_saved_usd += r.cache_saved_usd ?? 0;
    g.latencies.push(r.latency_ms);
  }
  const out: UsageRow[] = [];
  for (const { row, latencies } of groups.values()) {
    latencies.sort((a, b) => a - b);
    const at = (rank: number): number => latencies[rank] ?? 0;
    out.push({
      ...row,
      cost_usd: round(row.cost_usd, 10),
      cache_saved_usd: round(row.cache_saved_usd, 10),
      p50_ms: round(interpolate(latencies.length, PERCENTILES[0], at), 3),
      p95_ms: round(interpolate(latencies.length, PERCENTILES[1], at), 3),
    });
  }
  return sortRows(out, q.group_by);
}
