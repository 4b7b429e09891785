/**
 * A small MCP server over Streamable HTTP, written with the SDK, for the
 * gateway's tests: the common tools and `search`, with sessions, on a port
 * of its own (0 = any; the same port again to bring it back after close()).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { registerCommonTools } from "./tools.js";

export interface HttpMcpServer {
  url: string;
  port: number;
  /** Requests received, by the header the gateway was configured to send (`x-test-token`). */
  tokens: string[];
  /** Forgets every session, as a restarted server would (its connections stay open). */
  forget(): void;
  close(): Promise<void>;
}

function build(): McpServer {
  const server = new McpServer({ name: "test-http", version: "1.0.0" });
  registerCommonTools(server, "http");
  server.registerTool("search", { description: "Searches the test corpus.", inputSchema: { query: z.string() } }, async ({ query }) => ({
    content: [{ type: "text", text: `3 results for "${query}"` }],
  }));
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

export async function startHttpMcpServer(port = 0): Promise<HttpMcpServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const tokens: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = req.headers["x-test-token"];
    if (typeof token === "string") tokens.push(token);
    const id = req.headers["mcp-session-id"];
    const body = req.method === "POST" ? await readJson(req) : undefined;
    let transport = typeof id === "string" ? transports.get(id) : undefined;
    if (!transport) {
      if (id !== undefined || !isInitializeRequest(body)) {
        res.writeHead(id !== undefined ? 404 : 400, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
        return;
      }
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => { transports.set(sid, created); },
      });
      created.onclose = () => { if (created.sessionId) transports.delete(created.sessionId); };
      await build().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  };
  const http: Server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.headersSent) res.writeHead(500).end(); });
  });
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/mcp`,
    port: actual,
    tokens,
    forget: () => transports.clear(),
    async close() {
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
