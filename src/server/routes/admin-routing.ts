/**
 * GET /admin/routing?since&until&recent (docs/http-api.md): for each model
 * routed by `strategy: learned` or `cascade`, its targets and quality
 * setting, the share of calls per target, the route-score distribution and
 * the newest decisions, from the request log. The dashboard's Routing page
 * reads it.
 *
 * Read like /admin/usage: an admin or an unteamed viewer sees every team's
 * calls, a manager (or a team's viewer) their team's, a member gets 403.
 *
 * Whose share: on a `learned` model, the target the router chose
 * (`route_target`); on a `cascade`, the target that gave the answer (a
 * cascade starts at its cheapest target every time, so where it stopped is
 * the decision). Calls answered from the cache were not routed and are left
 * out.
 */
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import { readScope } from "../../keys/roles.js";
import { MAX_RECENT } from "../../store/routing/routing-query.js";
import { SCORE_BUCKETS, type RoutingDecision, type RoutingStats } from "../../store/routing/routing-types.js";
import { forbidden, principalOf } from "../authorize.js";
import { parseUsageTime } from "./admin-usage.js";

export const ROUTED_STRATEGIES = ["learned", "cascade"] as const;
/** With no `since`, the last day: the log of a busy gateway is long. */
const DEFAULT_SPAN_MS = 86_400_000;

export interface RoutedModel {
  model: string;
  strategy: string;
  /** The router block's quality (a share of the strongest target's); null: no router. */
  quality: number | null;
  /** Calls that were routed in the range (the sum of the targets' calls). */
  calls: number;
  targets: { target: string; calls: number; share: number }[];
  scores: { bucket_low: number; bucket_high: number; count: number }[];
  feedback: { count: number; mean: number | null };
  recent: RoutingDecision[];
}

const one = (q: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = q[name];
  if (Array.isArray(v)) throw new GatewayError("invalid_request", `${name} may be given once.`, { param: name });
  return v === "" ? undefined : v;
};

/** The answer for one model: its configured targets first (in config order, with 0 calls), then any other the log names. */
export function routedModel(name: string, strategy: string, quality: number | null, configured: string[], s: RoutingStats): RoutedModel {
  const counts = new Map<string, number>(configured.map((t) => [t, 0]));
  for (const t of s.targets) {
    const target = strategy === "cascade" ? t.served : t.route_target ?? null;
    if (target === null) continue;
    counts.set(target, (counts.get(target) ?? 0) + t.calls);
  }
  const calls = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    model: name,
    strategy,
    quality,
    calls,
    targets: [...counts].map(([target, n]) => ({ target, calls: n, share: calls > 0 ? Math.round((n / calls) * 1e4) / 1e4 : 0 })),
    scores: s.scores.map((count, i) => ({ bucket_low: i / SCORE_BUCKETS, bucket_high: (i + 1) / SCORE_BUCKETS, count })),
    feedback: s.feedback,
    recent: s.recent,
  };
}

export function registerAdminRoutingRoute(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>("/admin/routing", async (req, reply) => {
    const principal = principalOf(req);
    const scope = readScope(principal, "usage");
    if (!scope) throw forbidden(principal, "read", "routing decisions");
    const now = Date.now();
    const sinceRaw = one(req.query, "since");
    const untilRaw = one(req.query, "until");
    const since = sinceRaw === undefined ? new Date(now - DEFAULT_SPAN_MS).toISOString() : parseUsageTime(sinceRaw, "since", now);
    const until = untilRaw === undefined ? undefined : parseUsageTime(untilRaw, "until", now);
    if (until !== undefined && since > until) throw new GatewayError("invalid_request", "since must not be after until.", { param: "since" });
    const recentRaw = one(req.query, "recent");
    const recent = recentRaw === undefined ? undefined : Number(recentRaw);
    if (recent !== undefined && (!Number.isInteger(recent) || recent < 1 || recent > MAX_RECENT)) {
      throw new GatewayError("invalid_request", `recent must be a whole number from 1 to ${MAX_RECENT}.`, { param: "recent" });
    }

    const routed = Object.entries(engine.config.models).filter(([, m]) => (ROUTED_STRATEGIES as readonly string[]).includes(m.strategy));
    const names = routed.map(([name]) => name);
    const query = { models: names, since, ...(until === undefined ? {} : { until }), ...(scope.all ? {} : { team_id: scope.team_id }), ...(recent === undefined ? {} : { recent }) };
    const found = (await engine.store?.queryRouting?.(query)) ?? [];
    const models = routed.map(([name, m]) => {
      const stats = found.find((s) => s.model === name) ?? { model: name, targets: [], scores: new Array<number>(SCORE_BUCKETS).fill(0), feedback: { count: 0, mean: null }, recent: [] };
      return routedModel(name, m.strategy, m.router?.quality ?? null, m.targets.map((t) => `${t.provider}/${t.model}`), stats);
    });
    return reply.send({ since, until: until ?? null, models });
  });
}
