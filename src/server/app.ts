/**
 * The HTTP app: the engine lane (the model calls, ./engine-lane.ts) in front
 * of fastify, which serves ops routes, /v1/models, the admin API and one
 * error handler. Fastify's own request logging is off: a log line per
 * request on the hot path costs more than the rest of the gateway.
 */
import { createServer, STATUS_CODES } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { GatewayError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Config } from "../config/schema.js";
import { exceedsDepth, tooDeepError } from "../core/json-depth.js";
import type { Engine } from "../engine/engine.js";
import { readScope } from "../keys/roles.js";
import { reportUnexpected } from "../telemetry/report-unexpected.js";
import { authHook } from "./authenticate.js";
import { forbidden, principalOf } from "./authorize.js";
import { createCors } from "./cors.js";
import { createEngineLane, type LaneState } from "./engine-lane.js";
import { errorBody, errorHeaders, normalizeError } from "./error-response.js";
import { registerAdminLogRoutes } from "./routes/admin-logs.js";
import { registerAdminMeRoute } from "./routes/admin-me.js";
import { registerUiRoutes } from "./routes/ui.js";
import { registerAdminKeyRoutes } from "./routes/admin-keys.js";
import { registerAdminProviderRoutes } from "./routes/admin-providers.js";
import { registerAdminReloadRoute } from "./routes/admin-reload.js";
import { registerAdminRoutingRoute } from "./routes/admin-routing.js";
import { registerAdminTeamRoutes } from "./routes/admin-teams.js";
import { registerAdminUsageRoutes } from "./routes/admin-usage.js";
import { registerAnalyticsRoutes } from "./routes/analytics.js";
import { registerFeedbackRoutes } from "./routes/feedback.js";
import { registerMcpRoutes } from "./routes/mcp.js";
import { registerOpenAIRoutes } from "./routes/openai.js";
import { registerOpsRoutes } from "./routes/ops.js";
import { registerPromptRoutes } from "./routes/prompts.js";
import { registerResponsesRoutes } from "./routes/responses.js";
import { registerWorkflowRoutes } from "./routes/workflows.js";
import { JSON_TYPE } from "./write-answer.js";

export type AppState = LaneState;

/** Fastify's defaults for the server it would have made itself. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export function buildApp(engine: Engine, state: AppState = { shuttingDown: false }): FastifyInstance {
  const config = engine.config;
  const lane = createEngineLane(engine, state);
  const limits = serverLimits(config.server);
  const app = Fastify({
    // The lane takes the model calls; fastify's handler gets everything else.
    serverFactory: (handler) => {
      // Browsers' preflights are answered before authentication (they carry no key); only with server.cors set
      // does any origin get through, and requests without an Origin header pay one property read.
      const cors = createCors(config.server.cors);
      const server = createServer(limits, (req, res) => {
        if (req.headers.origin !== undefined) {
          if (cors.preflight(req, res)) return;
          cors.decorate(req, res);
        }
        if (!lane(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      if (config.server.max_connections !== undefined) server.maxConnections = config.server.max_connections;
      return server;
    },
    // A request that breaks the HTTP rules or does not arrive in time, answered in OpenAI's error shape.
    clientErrorHandler: (err, socket) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ECONNRESET" || socket.destroyed) return;
      const e = code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new GatewayError("request_timeout", `The request did not arrive in time: its headers must arrive within ${limits.headersTimeout} ms and the whole request within ${limits.requestTimeout} ms (server.headers_timeout_ms, server.request_timeout_ms).`)
        : code === "HPE_HEADER_OVERFLOW"
          ? new GatewayError("headers_too_large", "The request's headers are larger than the gateway accepts.")
          : new GatewayError("invalid_request", "The request is not valid HTTP.");
      // As Node's own handler: answer unless a response on this (keep-alive) connection has already begun.
      const current = (socket as unknown as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (socket.writable && !current?.headersSent) {
        const body = errorBody(e);
        socket.write(`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
      socket.destroy();
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

  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  app.addHook("onRequest", authHook(engine.auth));

  // Bodies fastify parsed (admin routes) are held to the same depth limit as the engine lane's.
  const maxJsonDepth = config.server.max_json_depth;
  app.addHook("preValidation", (req, _reply, done) => {
    if (req.body !== null && typeof req.body === "object" && exceedsDepth(req.body, maxJsonDepth)) return done(tooDeepError("The request body", maxJsonDepth));
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const e = normalizeError(err, config.server.body_limit_mb);
    if (e.code === "internal_error") reportUnexpected(engine, err, { requestId: req.id, route: req.routeOptions.url ?? req.url });
    return sendError(reply, e);
  });

  app.setNotFoundHandler((req, reply) => {
    return sendError(reply, new GatewayError("route_not_found",
      `Unknown route: ${req.method} ${req.url.split("?")[0]}. The gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses, /v1/messages, /v1/models, /v1/workflows, /v1/prompts and /mcp (docs/http-api.md).`,
      { clientCode: "unknown_route" }));
  });

  registerOpsRoutes(app, engine, state);
  registerOpenAIRoutes(app, engine);
  registerResponsesRoutes(app, engine);
  registerFeedbackRoutes(app, engine);
  registerWorkflowRoutes(app, engine);
  registerPromptRoutes(app, engine);
  registerAdminLogRoutes(app, engine);
  registerAdminMeRoute(app, engine);
  registerUiRoutes(app);
  registerAdminProviderRoutes(app, engine);
  registerAdminRoutingRoute(app, engine);
  registerAdminReloadRoute(app, state);
  registerAnalyticsRoutes(app, engine);
  registerMcpRoutes(app, engine);
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

/**
 * node:http's timeouts from server.*. Node checks them only every
 * connectionsCheckingInterval (30 s by default), so the interval is kept
 * well below the shortest timeout for the timeout to hold.
 */
function serverLimits(s: Config["server"]): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = s.request_timeout_ms;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(s.headers_timeout_ms, requestTimeout);
  return { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))) };
}

function sendError(reply: FastifyReply, e: GatewayError, body = errorBody(e)): FastifyReply {
  return reply.headers(errorHeaders(e)).code(e.status).type("application/json").send(body);
}
