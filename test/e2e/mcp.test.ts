/**
 * The MCP gateway end to end: the real CLI server in front of the SDK-written
 * stdio and Streamable HTTP test servers, driven by the official MCP client —
 * listing, calling, permissions, sessions, limits, list changes, log rows and
 * metrics.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { admin, mcpClient, rpcError, textOf } from "../mcp/gateway-client.js";
import { startHttpMcpServer, type HttpMcpServer } from "../mcp/servers/http-server.js";
import { stdioServerConfig } from "../mcp/servers/stdio-command.js";

const ADMIN = "sk-mcp-admin";
let gw: CliServer;
let web: HttpMcpServer;
const clients: Client[] = [];

beforeAll(async () => {
  web = await startHttpMcpServer();
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "warn", bodies: true, flush_interval_ms: 20 },
    mcp: { timeout_ms: 10_000, servers: { docs: stdioServerConfig(), web: { url: web.url, headers: { "x-test-token": "from-gateway" } } } },
  });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await gw?.dispose();
  await web?.close();
});

async function connect(key: string | undefined, headers: Record<string, string> = {}): Promise<Client> {
  const client = await mcpClient(gw.url, key, headers);
  clients.push(client);
  return client;
}

async function newKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  return admin(gw.url, ADMIN, "POST", "/admin/keys", { name: `k-${Math.random().toString(36).slice(2)}`, ...body });
}

interface Row { id: string; endpoint: string; model: string; provider: string | null; upstream_model: string | null; status: number; error_code: string | null; latency_ms: number; key_id: string | null; request_body: unknown; response_body: unknown }

async function rows(model: string): Promise<Row[]> {
  return (await admin(gw.url, ADMIN, "GET", `/admin/logs?model=${encodeURIComponent(model)}`)).data;
}

describe("/mcp with the official client", () => {
  it("lists every server's tools as SERVER__tool and calls them", async () => {
    const { key } = await newKey({});
    const client = await connect(key);
    expect(client.getServerVersion()?.name).toBe("liaison");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["docs__echo", "docs__add", "docs__crash", "web__search", "web__echo"]));
    expect(names.every((n) => /^(docs|web)__/.test(n))).toBe(true);

    expect(await client.callTool({ name: "docs__add", arguments: { a: 2, b: 3 } })).toMatchObject({ structuredContent: { sum: 5 } });
    expect(textOf(await client.callTool({ name: "web__search", arguments: { query: "gateways" } }))).toBe('3 results for "gateways"');
    expect(web.tokens).toContain("from-gateway");

    // A tool's own failure is its result; the gateway's refusals are JSON-RPC errors.
    expect(await client.callTool({ name: "docs__fail", arguments: {} })).toMatchObject({ isError: true });
    const unknown = await rpcError(client.callTool({ name: "docs__nope", arguments: {} }));
    expect(unknown).toMatchObject({ code: -32602, data: { reason: "tool_not_found" } });
    expect(textOf(await client.callTool({ name: "docs__echo", arguments: { text: "still in session" } }))).toBe("still in session");
  });

  it("passes prompts and resources through the same way", async () => {
    const client = await connect(ADMIN);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(["docs__greet"]);
    const prompt = await client.getPrompt({ name: "docs__greet", arguments: { name: "Ada" } });
    expect(prompt.messages[0]!.content).toMatchObject({ text: "Say hello to Ada." });
    expect((await client.listResources()).resources).toMatchObject([{ name: "docs__readme", uri: "test://docs/readme" }]);
    expect((await client.listResourceTemplates()).resourceTemplates).toMatchObject([{ name: "docs__page", uriTemplate: "test://pages/{n}" }]);
    expect((await client.readResource({ uri: "test://docs/readme" })).contents[0]).toMatchObject({ text: "This is the readme." });
    expect((await client.readResource({ uri: "test://pages/4" })).contents[0]).toMatchObject({ text: "page 4" });
    expect(await rpcError(client.readResource({ uri: "test://nowhere" }))).toMatchObject({ code: -32002 });
  });

  it("no key, or a bad one, gets HTTP 401", async () => {
    for (const key of [undefined, "lsk_notakey"]) {
      const err = await connect(key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(401);
    }
    const raw = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
  });

  it("a key's and its team's mcp_tools filter the list and refuse other calls; a change applies at once", async () => {
    const team = await admin(gw.url, ADMIN, "POST", "/admin/teams", { name: "agents", mcp_tools: ["docs__*", "web__search"] });
    const made = await newKey({ team_id: team.id, mcp_tools: ["docs__e*", "web__*"] });
    const client = await connect(made.key);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["docs__echo", "web__search"]);
    const refused = await rpcError(client.callTool({ name: "docs__add", arguments: { a: 1, b: 1 } }));
    expect(refused).toMatchObject({ code: -32003, data: { reason: "tool_not_allowed" } });
    expect(refused.message).toMatch(/may not call the tool 'docs__add'/);
    // Refused calls do not end the session.
    expect(textOf(await client.callTool({ name: "docs__echo", arguments: { text: "ok" } }))).toBe("ok");
    expect((await client.listPrompts()).prompts).toEqual([]);

    await admin(gw.url, ADMIN, "PATCH", `/admin/keys/${made.id}`, { mcp_tools: [] });
    expect((await client.listTools()).tools).toEqual([]);
    expect(await rpcError(client.callTool({ name: "docs__echo", arguments: { text: "x" } }))).toMatchObject({ code: -32003 });
  });

  it("a key's rpm applies to tool calls, with a JSON-RPC error that keeps the session", async () => {
    const { key } = await newKey({ rpm: 2 });
    const client = await connect(key);
    await client.callTool({ name: "docs__echo", arguments: { text: "1" } });
    await client.callTool({ name: "docs__echo", arguments: { text: "2" } });
    const limited = await rpcError(client.callTool({ name: "docs__echo", arguments: { text: "3" } }));
    expect(limited).toMatchObject({ code: -32029, data: { reason: "rate_limit_exceeded", retry_after_seconds: expect.any(Number) } });
    expect(limited.message).toMatch(/Rate limit reached .* requests per minute/);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("sessions: unknown, deleted or someone else's → 404; requests without one → 400", async () => {
    const { key } = await newKey({});
    const client = await connect(key);
    const transport = client.transport as unknown as { sessionId: string; terminateSession(): Promise<void> };
    const sessionId = transport.sessionId;
    const post = (id: string | undefined, bearer: string) => fetch(`${gw.url}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", ...(id ? { "mcp-session-id": id } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect((await post("no-such-session", key)).status).toBe(404);
    expect((await post(sessionId, ADMIN)).status).toBe(404);
    expect((await post(undefined, key)).status).toBe(400);
    expect((await post(sessionId, key)).status).toBe(200);
    await transport.terminateSession();
    expect((await post(sessionId, key)).status).toBe(404);
  });

  it("tells the session when a server's tool list changes", async () => {
    const client = await connect(ADMIN);
    await client.listTools();
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    await client.callTool({ name: "docs__grow", arguments: {} });
    await changed;
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("docs__extra1");
  });

  it("logs every tools/call (bodies redacted) and counts it in the metrics", async () => {
    const made = await newKey({ mcp_tools: ["docs__echo"] });
    const client = await connect(made.key);
    await client.callTool({ name: "docs__echo", arguments: { text: "write to jane.doe@example.com" } });
    await rpcError(client.callTool({ name: "web__search", arguments: { query: "q" } }));

    let ok: Row | undefined;
    await expect.poll(async () => (ok = (await rows("docs__echo")).find((r) => r.key_id === made.id)) !== undefined, { timeout: 5_000 }).toBe(true);
    expect(ok).toMatchObject({ endpoint: "/mcp", model: "docs__echo", provider: "docs", upstream_model: "echo", status: 200, error_code: null });
    expect(ok!.latency_ms).toBeGreaterThan(0);
    const full = await admin(gw.url, ADMIN, "GET", `/admin/logs/${ok!.id}`);
    expect(JSON.stringify(full.request_body)).toContain("[REDACTED:EMAIL]");
    expect(JSON.stringify(full.response_body)).toContain("[REDACTED:EMAIL]");
    expect(JSON.stringify(full)).not.toContain("jane.doe@example.com");

    let denied: Row | undefined;
    await expect.poll(async () => (denied = (await rows("web__search")).find((r) => r.key_id === made.id)) !== undefined, { timeout: 5_000 }).toBe(true);
    expect(denied).toMatchObject({ endpoint: "/mcp", status: 403, error_code: "tool_not_allowed", provider: null });

    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/liaison_mcp_calls_total\{server="docs",tool="docs__echo",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/liaison_mcp_calls_total\{server="",tool="",outcome="tool_not_allowed"\} \d+/);
    expect(metrics).toMatch(/liaison_mcp_call_duration_seconds_count\{server="docs"\} \d+/);
    expect(metrics).toMatch(/liaison_requests_total\{endpoint="\/mcp",model="docs__echo",provider="docs",status="200"\} \d+/);
  });

  it("GET /admin/mcp shows each server, its tools and health", async () => {
    const { data } = await admin(gw.url, ADMIN, "GET", "/admin/mcp");
    expect(data).toEqual([
      expect.objectContaining({ name: "docs", transport: "stdio", status: "up", last_error: null, tools: expect.arrayContaining(["docs__echo"]) }),
      expect.objectContaining({ name: "web", transport: "http", status: "up", circuit: "closed", tools: expect.arrayContaining(["web__search"]) }),
    ]);
    const member = await newKey({});
    const res = await fetch(`${gw.url}/admin/mcp`, { headers: { authorization: `Bearer ${member.key}` } });
    expect(res.status).toBe(403);
  });
});
