import type { FastifyInstance } from "fastify";
import type { McpHub } from "../../mcp/index.js";
import { authorize, principalOf } from "../authorize.js";

/**
 * GET /admin/mcp: each configured MCP server (docs/mcp.md) — its transport,
 * status (up, down, restarting), tools, last error, restarts and, for an
 * HTTP server, its circuit. Servers not started yet are started to answer.
 * Readable by every role that reads provider health.
 */
export function registerAdminMcpRoutes(app: FastifyInstance, hub: McpHub | undefined): void {
  app.get("/admin/mcp", async (req, reply) => {
    authorize(principalOf(req), "read", { type: "providers" }, "MCP servers");
    return reply.send({ data: hub ? await hub.status() : [] });
  });
}
