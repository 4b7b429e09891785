/**
 * POST, GET and DELETE /mcp: one MCP server (Streamable HTTP transport) in
 * front of the configured ones (src/mcp, docs/mcp.md). Every request is
 * authenticated before its body is read (no or bad key → 401, as on /v1);
 * the SDK's transport then gets the raw request and response (the reply is
 * hijacked from fastify), and the caller rides along as its `authInfo`.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Engine } from "../../engine/engine.js";
import { authInfoOf, createCaller, createSessionServer, McpHub, McpSessions, ownerOf } from "../../mcp/index.js";
import { principalHook } from "../authenticate.js";
import { principalOf } from "../authorize.js";
import { callOptions } from "../request-options.js";
import { registerAdminMcpRoutes } from "./admin-mcp.js";

/** Also registers GET /admin/mcp; /mcp itself only when the config has an `mcp` block. */
export function registerMcpRoutes(app: FastifyInstance, engine: Engine): void {
  const config = engine.config.mcp;
  const hub = config ? new McpHub(config, { breakers: engine.health.breakers, logger: engine.logger }) : undefined;
  registerAdminMcpRoutes(app, hub);
  if (!hub) return;
  const sessions = new McpSessions(() => createSessionServer({ engine, hub }));
  // At shutdown the sessions' notification streams end first (they would hold the close); calls in flight
  // drain with the rest, and only then do the sessions end and the servers (their processes) stop.
  app.addHook("preClose", (done) => { sessions.endStreams(); done(); });
  app.addHook("onClose", async () => {
    await sessions.close();
    await hub.close();
  });
  const maxJsonDepth = engine.config.server.max_json_depth;

  app.route({
    method: ["POST", "GET", "DELETE"],
    url: "/mcp",
    onRequest: principalHook(engine.auth, true),
    handler: async (req, reply) => {
      const principal = principalOf(req);
      const owner = ownerOf(principal);
      const header = req.headers["mcp-session-id"];
      const id = typeof header === "string" ? header : undefined;
      const session = id === undefined ? undefined : sessions.find(id, owner);
      const initializing = id === undefined && req.method === "POST" && isInitializeRequest(req.body);
      if (id !== undefined && !session) return rpcError(reply, 404, -32001, "Session not found: it ended, or this key did not open it. Open a new one with an initialize request.");
      if (id === undefined && !initializing) return rpcError(reply, 400, -32000, "Bad Request: no mcp-session-id header. Open a session with an initialize request first.");
      if (initializing && sessions.full) return rpcError(reply, 503, -32000, "Too many open MCP sessions; try again later.");
      // Parsed before the reply is taken over, so a malformed gateway header still gets its 400.
      const caller = createCaller(principal, callOptions({ id: req.id, principal, req, res: reply.raw, maxJsonDepth }));
      reply.hijack();
      const res = reply.raw;
      res.setHeader("x-request-id", req.id);
      try {
        if (session) await sessions.handle(session, req.raw, res, req.body, authInfoOf(caller));
        else await sessions.initialize(owner, req.raw, res, req.body, authInfoOf(caller));
      } catch (err) {
        engine.logger.warn({ err, request_id: req.id }, "MCP request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: null }));
        else res.end();
      }
    },
  });
}

function rpcError(reply: FastifyReply, status: number, code: number, message: string): FastifyReply {
  return reply.code(status).type("application/json").send({ jsonrpc: "2.0", error: { code, message }, id: null });
}

