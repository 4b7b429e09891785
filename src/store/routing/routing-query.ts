/**
 * What the request log says about routed models (`GET /admin/routing`):
 * per model, its calls by the target the router chose (`route_target`) and
 * the target that answered (`provider/upstream_model`), its route scores in
 * ten buckets of 0.1, the feedback on its calls, and its newest rows.
 * Calls answered from the cache are left out: nothing was routed.
 *
 * The same answer from SQLite, PostgreSQL (one Kysely query set; the
 * (model, created_at) index serves every one) and the memory store. A
 * score's bucket is taken from the score rounded to four places, as the
 * engine writes it, so a double that is a hair under 0.7 still lands in
 * [0.7, 0.8) on every backend.
 */
import { sql, type Kysely } from "kysely";
import { GatewayError } from "../../core/errors.js";
import { canonicalTimestamp } from "../log-query.js";
import type { LiaisonDatabase } from "../sql/log-table.js";
import type { LogRow } from "../types.js";
import { SCORE_BUCKETS, type RoutingDecision, type RoutingQuery, type RoutingStats, type RoutingTargetCount } from "./routing-types.js";

export { SCORE_BUCKETS, type RoutingDecision, type RoutingQuery, type RoutingStats, type RoutingTargetCount };

export const DEFAULT_RECENT = 20;
export const MAX_RECENT = 100;
const CACHE_HITS = ["hit", "semantic-hit"];

/** Canonical timestamps and a recent count in range (400 naming the parameter otherwise). */
export function normalizeRoutingQuery(q: RoutingQuery): Required<Pick<RoutingQuery, "models" | "recent">> & RoutingQuery {
  const recent = q.recent ?? DEFAULT_RECENT;
  if (!Number.isInteger(recent) || recent < 1 || recent > MAX_RECENT) {
    throw new GatewayError("invalid_request", `recent must be a whole number from 1 to ${MAX_RECENT}.`, { param: "recent" });
  }
  const out: Required<Pick<RoutingQuery, "models" | "recent">> & RoutingQuery = { models: [...new Set(q.models)], recent };
  if (q.since !== undefined) out.since = canonicalTimestamp(q.since, "since");
  if (q.until !== undefined) out.until = canonicalTimestamp(q.until, "until");
  if (q.team_id !== undefined) out.team_id = q.team_id;
  return out;
}

/** The bucket of a score: 0–9, from the score rounded to four places. */
export function scoreBucket(score: number): number {
  return Math.min(SCORE_BUCKETS - 1, Math.max(0, Math.floor(Math.round(score * 10_000) / 1000)));
}

const servedOf = (provider: string | null, upstreamModel: string | null): string | null =>
  provider !== null && upstreamModel !== null ? `${provider}/${upstreamModel}` : null;

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

function emptyStats(model: string): RoutingStats {
  return { model, targets: [], scores: new Array<number>(SCORE_BUCKETS).fill(0), feedback: { count: 0, mean: null }, recent: [] };
}

/** Targets in a stable order on every backend: most calls first, then by choice and answer (none last). */
const nameOrder = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
const byCalls = (a: RoutingTargetCount, b: RoutingTargetCount): number =>
  b.calls - a.calls || nameOrder(a.route_target, b.route_target) || nameOrder(a.served, b.served);

/** Routing stats from request_logs on SQLite or PostgreSQL. */
export async function queryRouting(db: Kysely<LiaisonDatabase>, query: RoutingQuery): Promise<RoutingStats[]> {
  const q = normalizeRoutingQuery(query);
  if (q.models.length === 0) return [];
  const rows = (models: string[]) => {
    let s = db.selectFrom("request_logs").where("model", "in", models);
    if (q.since !== undefined) s = s.where("created_at", ">=", q.since);
    if (q.until !== undefined) s = s.where("created_at", "<", q.until);
    if (q.team_id !== undefined) s = s.where("team_id", "=", q.team_id);
    return s.where((eb) => eb.or([eb("cache", "is", null), eb("cache", "not in", CACHE_HITS)]));
  };
  const bucket = sql<number>`cast(round(route_score * 10000) as integer) / 1000`;

  // pg returns counts and sums as bigint/numeric text: Number() below.
  const [targets, buckets] = await Promise.all([
    rows(q.models)
      .select(["model", "route_target", "provider", "upstream_model"])
      .select((eb) => [eb.fn.countAll<number | string>().as("calls"), eb.fn.count<number | string>("feedback_score").as("fb_n"), eb.fn.sum<number | string | null>("feedback_score").as("fb_sum")])
      .groupBy(["model", "route_target", "provider", "upstream_model"])
      .execute(),
    rows(q.models)
      .where("route_score", "is not", null)
      .select(["model", bucket.as("b")])
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .groupBy(["model", bucket])
      .execute(),
  ]);

  const stats = new Map(q.models.map((m) => [m, emptyStats(m)]));
  const feedbackSums = new Map<string, number>();
  for (const r of targets) {
    const s = stats.get(r.model!)!;
    const served = servedOf(r.provider, r.upstream_model);
    const found = s.targets.find((t) => t.route_target === r.route_target && t.served === served);
    if (found) found.calls += Number(r.calls);
    else s.targets.push({ route_target: r.route_target, served, calls: Number(r.calls) });
    s.feedback.count += Number(r.fb_n);
    feedbackSums.set(s.model, (feedbackSums.get(s.model) ?? 0) + Number(r.fb_sum ?? 0));
  }
  for (const r of buckets) {
    const s = stats.get(r.model!)!;
    s.scores[Math.min(SCORE_BUCKETS - 1, Math.max(0, Number(r.b)))]! += Number(r.n);
  }
  for (const s of stats.values()) {
    s.targets.sort(byCalls);
    if (s.feedback.count > 0) s.feedback.mean = round(feedbackSums.get(s.model)! / s.feedback.count);
    const recent = await rows([s.model])
      .select(["id", "created_at", "route_score", "route_target", "provider", "upstream_model", "status", "feedback_score"])
      .orderBy("created_at", "desc").orderBy("id", "desc").limit(q.recent).execute();
    s.recent = recent.map((r) => ({
      id: r.id,
      created_at: r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at,
      route_score: r.route_score === null ? null : Number(r.route_score),
      route_target: r.route_target,
      served: servedOf(r.provider, r.upstream_model),
      status: Number(r.status),
      feedback_score: r.feedback_score === null ? null : Number(r.feedback_score),
    }));
  }
  return [...stats.values()];
}

export type RoutingLogRow = Pick<LogRow, "id" | "created_at" | "model" | "provider" | "upstream_model" | "status" | "cache"> &
  Partial<Pick<LogRow, "team_id" | "route_score" | "route_target" | "feedback_score">>;

/** The same answer over rows in memory, newest first (the memory store; tests). */
export function queryRoutingInMemory(newestFirst: Iterable<RoutingLogRow>, query: RoutingQuery): RoutingStats[] {
  const q = normalizeRoutingQuery(query);
  const stats = new Map(q.models.map((m) => [m, emptyStats(m)]));
  const feedbackSums = new Map<string, number>();
  for (const r of newestFirst) {
    const s = r.model === null ? undefined : stats.get(r.model);
    if (!s) continue;
    const created = canonicalTimestamp(r.created_at, "created_at");
    if (q.since !== undefined && created < q.since) continue;
    if (q.until !== undefined && created >= q.until) continue;
    if (q.team_id !== undefined && (r.team_id ?? null) !== q.team_id) continue;
    if (r.cache !== null && CACHE_HITS.includes(r.cache)) continue;
    const routeTarget = r.route_target ?? null;
    const served = servedOf(r.provider, r.upstream_model);
    const found = s.targets.find((t) => t.route_target === routeTarget && t.served === served);
    if (found) found.calls += 1;
    else s.targets.push({ route_target: routeTarget, served, calls: 1 });
    const score = r.route_score ?? null;
    if (score !== null) s.scores[scoreBucket(score)]! += 1;
    const feedback = r.feedback_score ?? null;
    if (feedback !== null) {
      s.feedback.count += 1;
      feedbackSums.set(s.model, (feedbackSums.get(s.model) ?? 0) + feedback);
    }
    if (s.recent.length < q.recent) {
      s.recent.push({ id: r.id, created_at: created, route_score: score, route_target: routeTarget, served, status: r.status, feedback_score: feedback });
    }
  }
  for (const s of stats.values()) {
    s.targets.sort(byCalls);
    if (s.feedback.count > 0) s.feedback.mean = round(feedbackSums.get(s.model)! / s.feedback.count);
  }
  return [...stats.values()];
}
