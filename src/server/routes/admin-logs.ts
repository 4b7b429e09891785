import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import type { LogQuery } from "../../store/types.js";
import { readScope } from "../../keys/roles.js";
import { forbidden, principalOf } from "../authorize.js";

const STRING_FILTERS = ["since", "until", "model", "provider", "key_id", "prompt", "cursor"] as const;

function parseQuery(q: Record<string, string | undefined>): LogQuery {
  const out: LogQuery = {};
  for (const k of STRING_FILTERS) if (q[k]) out[k] = q[k];
  for (const k of ["since", "until"] as const) {
    if (out[k] && Number.isNaN(Date.parse(out[k]))) throw new GatewayError("invalid_request", `${k} must be an ISO-8601 date or time.`, { param: k });
  }
  if (q.status !== undefined) {
    const s = Number(q.status);
    if (!Number.isInteger(s) || s < 100 || s > 599) throw new GatewayError("invalid_request", "status must be an HTTP status code.", { param: "status" });
    out.status = s;
  }
  if (q.limit !== undefined) {
    const l = Number(q.limit);
    if (!Number.isInteger(l) || l < 1 || l > 1000) throw new GatewayError("invalid_request", "limit must be a whole number from 1 to 1000.", { param: "limit" });
    out.limit = l;
  }
  return out;
}

/** GET /admin/logs and /admin/logs/{id} (DESIGN.md §2). */
export function registerAdminLogRoutes(app: FastifyInstance, engine: Engine): void {
  app.get<{ Querystring: Record<string, string | undefined> }>("/admin/logs", async (req, reply) => {
    const scope = readScope(principalOf(req), "logs");
    if (!scope) throw forbidden(principalOf(req), "read", "request logs");
    const store = engine.store;
    if (!store) return reply.send({ data: [], next_cursor: null });
    const query = parseQuery(req.query);
    if (!scope.all) query.team_id = scope.team_id; // a team-scoped reader sees its team's rows only
    try {
      return reply.send(await store.queryLogs(query));
    } catch (err) {
      if (query.cursor && /cursor/i.test((err as Error).message)) {
        throw new GatewayError("invalid_request", "The cursor is invalid: pass next_cursor from a previous page unchanged.", { param: "cursor" });
      }
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>("/admin/logs/:id", async (req, reply) => {
    const scope = readScope(principalOf(req), "logs");
    if (!scope) throw forbidden(principalOf(req), "read", "request logs");
    const found = await engine.store?.getLog(req.params.id);
    const row = found && (scope.all || found.team_id === scope.team_id) ? found : undefined;
    if (!row) throw new GatewayError("route_not_found", `No request log with id '${req.params.id}'.`, { clientCode: "log_not_found" });
    return reply.send(row);
  });
}
