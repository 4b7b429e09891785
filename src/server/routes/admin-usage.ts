import type { FastifyInstance, FastifyRequest } from "fastify";
import { GatewayError } from "../../core/errors.js";
import { USAGE_GROUPS, type UsageGroupBy, type UsageQuery, type UsageRow } from "../../store/usage/usage-query.js";

export interface AdminUsageDeps {
  /** `req` lets the caller apply the principal's role (e.g. pin a manager's team_id, 403 a member). */
  queryUsage(query: UsageQuery, req: FastifyRequest): Promise<UsageRow[]>;
}

const RELATIVE = /^(\d{1,6})(m|h|d|w)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * since/until: ISO-8601, or a span back from now ("7d", "24h", "30m", "2w"),
 * the form `liaison usage --since 7d` passes through unchanged.
 */
export function parseUsageTime(value: string, param: "since" | "until", now = Date.now()): string {
  const rel = RELATIVE.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]).toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new GatewayError("invalid_request", `${param} must be an ISO-8601 date or time, or a span such as 7d, 24h or 30m.`, { param });
  }
  return new Date(ms).toISOString();
}

/** Query string → UsageQuery; every problem is a 400 naming its parameter. */
export function parseUsageQuery(q: Record<string, string | string[] | undefined>, now = Date.now()): UsageQuery {
  const one = (name: string): string | undefined => {
    const v = q[name];
    if (Array.isArray(v)) throw new GatewayError("invalid_request", `${name} may be given once.`, { param: name });
    return v === "" ? undefined : v;
  };
  const groupBy = one("group_by") ?? "day";
  if (!(USAGE_GROUPS as readonly string[]).includes(groupBy)) {
    throw new GatewayError("invalid_request", `group_by must be one of ${USAGE_GROUPS.join(", ")}.`, { param: "group_by" });
  }
  const out: UsageQuery = { group_by: groupBy as UsageGroupBy };
  const since = one("since");
  const until = one("until");
  if (since !== undefined) out.since = parseUsageTime(since, "since", now);
  if (until !== undefined) out.until = parseUsageTime(until, "until", now);
  if (out.since !== undefined && out.until !== undefined && out.since > out.until) {
    throw new GatewayError("invalid_request", "since must not be after until.", { param: "since" });
  }
  const keyId = one("key_id");
  const teamId = one("team_id");
  if (keyId !== undefined) out.key_id = keyId;
  if (teamId !== undefined) out.team_id = teamId;
  return out;
}

/**
 * GET /admin/usage?group_by=day|hour|key|team|model|provider|prompt&since&until
 * (DESIGN.md §2) → {data: UsageRow[]}. group_by defaults to day. key_id and
 * team_id narrow the rows; the caller's role check decides who may pass
 * which (a manager is pinned to their team_id before queryUsage runs).
 */
export function registerAdminUsageRoutes(app: FastifyInstance, deps: AdminUsageDeps): void {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>("/admin/usage", async (req, reply) => {
    const query = parseUsageQuery(req.query);
    return reply.send({ data: await deps.queryUsage(query, req) });
  });
}
