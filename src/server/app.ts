/**
 * The HTTP app: the engine lane (the model calls, ./engine-lane.ts) in front
 * of fastify, which serves ops routes, /v1/models, the admin API and one
 * error handler. Fastify's own request logging is off: a log line per
 * request on the hot path costs more than the rest of the gateway.
 */
import { createServer } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Engine } from "../engine/gateway.js";
import type { Principal } from "../keys/principal.js";
import { can, readScope, roleOf } from "../keys/roles.js";
import { presentedKey } from "./auth.js";
import { createEngineLane, type LaneState } from "./engine-lane.js";
import { errorBody, errorHeaders, normalizeError } from "./error-response.js";
import { registerAdminLogRoutes } from "./routes/admin-logs.js";
import { forbidden, principalOf, registerAdminKeyRoutes } from "./routes/admin-keys.js";
import { registerAdminProviderRoutes } from "./routes/admin-providers.js";
import { registerAdminTeamRoutes } from "./routes/admin-teams.js";
import { registerAdminUsageRoutes } from "./routes/admin-usage.js";
import { registerOpenAIRoutes } from "./routes/openai.js";
import { registerOpsRoutes } from "./routes/ops.js";

export type AppState = LaneState;

/** Fastify's defaults for the server it would have made itself. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export function buildApp(engine: Engine, state: AppState = { shuttingDown: false }): FastifyInstance {
  const config = engine.config;
  const lane = createEngineLane(engine, state);
  const app = Fastify({
    // The lane takes the model calls; fastify's handler gets everything else.
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        if (!lane(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.requestTimeout = 0;
      return server;
    },
    logger: false,
    bodyLimit: Math.floor(config.server.body_limit_mb * 1024 * 1024),
    genReqId: () => newId("req"),
    // Keep-alive sockets are closed at shutdown instead of holding it open.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.decorateRequest("principal", undefined);
  // JSON only: a text/plain body would otherwise reach the handlers as a string.
  app.removeContentTypeParser("text/plain");

  const auth = engine.auth;
  // A callback hook, not an async one: a cached key (or the admin key) is
  // resolved synchronously, so most requests pay no promise at all.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    const url = req.url;
    const calling = url.startsWith("/v1/");
    if (!calling && !url.startsWith("/admin/")) return done();
    const admit = (principal: Principal): void => {
      // Admin routes check their own permissions; model calls need a role that may call models.
      if (calling && !can(principal, "call", { type: "model" })) {
        return done(new GatewayError("permission_denied", `A key with role '${roleOf(principal)}' may not call models.`));
      }
      req.principal = principal;
      done();
    };
    try {
      const result = auth.authenticate(presentedKey(req));
      if (result instanceof Promise) result.then(admit, done);
      else admit(result);
    } catch (err) {
      done(err as Error);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const e = normalizeError(err, config.server.body_limit_mb);
    if (e.code === "internal_error") {
      engine.logger.error({ err, url: req.url, requestId: req.id }, "unexpected error");
      engine.errors.capture(err, { requestId: req.id, route: req.routeOptions.url ?? "", code: e.code });
    }
    return sendError(reply, e);
  });

  app.setNotFoundHandler((req, reply) => {
    return sendError(reply, new GatewayError("route_not_found",
      `Unknown route: ${req.method} ${req.url.split("?")[0]}. The gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models.`,
      { clientCode: "unknown_route" }));
  });

  registerOpsRoutes(app, engine, state);
  registerOpenAIRoutes(app, engine);
  registerAdminLogRoutes(app, engine);
  registerAdminProviderRoutes(app, engine);
  if (engine.keyAdmin) {
    registerAdminKeyRoutes(app, { keys: engine.keyAdmin });
    registerAdminTeamRoutes(app, { keys: engine.keyAdmin });
  }
  registerAdminUsageRoutes(app, {
    queryUsage: (q, req) => {
      const principal = principalOf(req);
      const scope = readScope(principal, "usage");
      if (!scope) throw forbidden(principal, "read", "usage");
      if (!scope.all) {
        // A manager (or a team's viewer) sees their own team's usage only.
        if (q.team_id !== undefined && q.team_id !== scope.team_id) throw forbidden(principal, "read", `usage of team ${q.team_id}`);
        q.team_id = scope.team_id;
      }
      return engine.store?.queryUsage(q) ?? Promise.resolve([]);
    },
  });
  return app;
}

function sendError(reply: FastifyReply, e: GatewayError, body = errorBody(e)): FastifyReply {
  return reply.headers(errorHeaders(e)).code(e.status).type("application/json").send(body);
}
