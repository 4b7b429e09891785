/**
 * The HTTP app: fastify with the OpenAI routes, ops routes, the admin log API
 * and one error handler. Fastify's own request logging is off: a log line per
 * request on the hot path costs more than the rest of the gateway.
 */
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Engine } from "../engine/gateway.js";
import type { Endpoint } from "../engine/request-record.js";
import type { Principal } from "../keys/principal.js";
import { can, readScope, roleOf } from "../keys/roles.js";
import { presentedKey } from "./auth.js";
import { errorBody, normalizeError } from "./error-response.js";
import { registerAdminLogRoutes } from "./routes/admin-logs.js";
import { forbidden, principalOf, registerAdminKeyRoutes } from "./routes/admin-keys.js";
import { registerAdminProviderRoutes } from "./routes/admin-providers.js";
import { registerAdminTeamRoutes } from "./routes/admin-teams.js";
import { registerAdminUsageRoutes } from "./routes/admin-usage.js";
import { ANTHROPIC_ROUTE, anthropicErrorBody, registerAnthropicRoutes } from "./routes/anthropic.js";
import { registerOpenAIRoutes } from "./routes/openai.js";
import { registerOpsRoutes } from "./routes/ops.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set once the engine has the request: from then on the engine records its outcome. */
    engaged: boolean;
  }
}

const ENGINE_ENDPOINTS = new Set<string>(["/v1/chat/completions", "/v1/completions", "/v1/embeddings", ANTHROPIC_ROUTE]);

export interface AppState { shuttingDown: boolean }

export function buildApp(engine: Engine, state: AppState = { shuttingDown: false }): FastifyInstance {
  const config = engine.config;
  const app = Fastify({
    logger: false,
    bodyLimit: Math.floor(config.server.body_limit_mb * 1024 * 1024),
    genReqId: () => newId("req"),
    // Keep-alive sockets are closed at shutdown instead of holding it open.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.decorateRequest("engaged", false);
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
    // The engine logs and reports its own unexpected errors; these are the server's.
    if (e.code === "internal_error" && !req.engaged) {
      engine.logger.error({ err, url: req.url, requestId: req.id }, "unexpected error");
      engine.errors.capture(err, { requestId: req.id, route: req.routeOptions.url ?? "", code: e.code });
    }
    const path = req.routeOptions.url ?? req.url;
    if (!req.engaged && ENGINE_ENDPOINTS.has(path)) engine.recordRejected(path as Endpoint, e.status, e.clientCode ?? e.code, req.id);
    return sendError(reply, e, path === ANTHROPIC_ROUTE ? anthropicErrorBody(e, req.id) : errorBody(e));
  });

  app.setNotFoundHandler((req, reply) => {
    return sendError(reply, new GatewayError("route_not_found",
      `Unknown route: ${req.method} ${req.url.split("?")[0]}. The gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models.`,
      { clientCode: "unknown_route" }));
  });

  registerOpsRoutes(app, engine, state);
  registerOpenAIRoutes(app, engine);
  registerAnthropicRoutes(app, engine);
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
  if (e.retryAfter !== undefined) reply.header("retry-after", String(Math.ceil(e.retryAfter)));
  // Limit refusals carry OpenAI's x-ratelimit-* headers.
  const extra = (e as { headers?: Record<string, string> }).headers;
  if (extra) reply.headers(extra);
  if (e.route) {
    // Errors say where they came from too: the last target tried and how many attempts were made.
    reply.header("x-liaison-provider", e.route.provider).header("x-liaison-model", e.route.upstreamModel).header("x-liaison-attempts", String(e.route.attempts));
  }
  return reply.code(e.status).type("application/json").send(body);
}
