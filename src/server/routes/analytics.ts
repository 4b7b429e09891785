/**
 * GET /analytics/costs?since&until&group_by=model|provider|key|team|day
 * (DESIGN.md §7, "Analytics") → {total_usd, data: [{group, requests,
 * cost_usd, prompt_tokens, completion_tokens}]}: what the request log says
 * was spent, summed by the store's usage query (the one /admin/usage runs),
 * so both answer from the same numbers.
 *
 * Who may read it is who may read usage: an admin or a viewer everyone's,
 * a manager (or a team's viewer) their own team's only, a member nobody's
 * (403). group_by defaults to day, as on /admin/usage; `model` is the name
 * the client asked for.
 */
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import { readScope } from "../../keys/roles.js";
import { forbidden, principalOf } from "../authorize.js";
import { parseUsageQuery } from "./admin-usage.js";

export const COST_GROUPS = ["model", "provider", "key", "team", "day"] as const;

export interface CostRow {
  group: string | null;
  requests: number;
  cost_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
}

type Query = Record<string, string | string[] | undefined>;

// Sums of float costs: rounded as the usage query rounds each group's.
const round = (v: number): number => Math.round(v * 1e10) / 1e10;

export function registerAnalyticsRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: Query }>("/analytics/costs", async (req, reply) => {
    const principal = principalOf(req);
    const scope = readScope(principal, "usage");
    if (!scope) throw forbidden(principal, "read", "cost analytics");
    const groupBy = req.query.group_by;
    if (groupBy !== undefined && groupBy !== "" && !(COST_GROUPS as readonly unknown[]).includes(groupBy)) {
      throw new GatewayError("invalid_request", `group_by must be one of ${COST_GROUPS.join(", ")}.`, { param: "group_by" });
    }
    const query = parseUsageQuery(req.query);
    if (!scope.all) {
      if (query.team_id !== undefined && query.team_id !== scope.team_id) throw forbidden(principal, "read", `cost analytics of team ${query.team_id}`);
      query.team_id = scope.team_id;
    }
    const rows = engine.store ? await engine.store.queryUsage(query) : [];
    const data: CostRow[] = rows.map((r) => ({
      group: r.group, requests: r.requests, cost_usd: r.cost_usd, prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens,
    }));
    return reply.send({ total_usd: round(data.reduce((sum, r) => sum + r.cost_usd, 0)), data });
  });
}
