/**
 * MCP servers that fail, through the real gateway and the official client:
 * a stdio server that crashes is restarted; one that cannot come back makes
 * calls wait, then fail cleanly; a slow call times out; a dead HTTP server is
 * reported and its circuit opens. Every failure is a JSON-RPC error on a
 * session that goes on working, and every call has its log row.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { admin, mcpClient, rpcError, textOf } from "../mcp/gateway-client.js";
import { startHttpMcpServer, type HttpMcpServer } from "../mcp/servers/http-server.js";
import { stdioServerConfig } from "../mcp/servers/stdio-command.js";

const ADMIN = "sk-mcp-admin";
let gw: CliServer;
let web: HttpMcpServer;
let dir: string;
let failFile: string;
const clients: Client[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-e2e-"));
  failFile = join(dir, "refuse-to-start");
  web = await startHttpMcpServer();
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "warn", flush_interval_ms: 20 },
    routing: { circuit_breaker: { consecutive_failures: 2, cooldown_ms: 60_000 } },
    mcp: {
      timeout_ms: 10_000,
      restart: { initial_delay_ms: 200, max_delay_ms: 400 },
      servers: { docs: stdioServerConfig({ MCP_TEST_FAIL_START: failFile }), web: { url: web.url } },
    },
  });
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await gw?.dispose();
  await web?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(headers: Record<string, string> = {}): Promise<Client> {
  const client = await mcpClient(gw.url, ADMIN, headers);
  clients.push(client);
  return client;
}

const call = (client: Client, name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args });

async function servers(): Promise<Record<string, { status: string; last_error: string | null; restarts: number; circuit?: string }>> {
  const { data } = await admin(gw.url, ADMIN, "GET", "/admin/mcp");
  return Object.fromEntries((data as { name: string }[]).map((s) => [s.name, s])) as never;
}

async function row(model: string, where: (r: { status: number }) => boolean): Promise<{ status: number; error_code: string | null; endpoint: string; provider: string | null }> {
  let found: { status: number; error_code: string | null; endpoint: string; provider: string | null } | undefined;
  await expect.poll(async () => {
    found = (await admin(gw.url, ADMIN, "GET", `/admin/logs?model=${model}`)).data.find(where);
    return found !== undefined;
  }, { timeout: 5_000 }).toBe(true);
  return found!;
}

describe("a stdio server that fails", () => {
  it("is restarted after a crash: the call in flight gets a JSON-RPC error, the next one the new process", async () => {
    const client = await connect();
    const before = textOf(await call(client, "docs__pid"));
    const crashed = await rpcError(call(client, "docs__crash"));
    expect(crashed).toMatchObject({ code: -32010, data: { reason: "mcp_server_unavailable" } });
    expect(crashed.message).toMatch(/MCP server 'docs'/);
    const after = textOf(await call(client, "docs__pid"));
    expect(after).not.toBe(before);
    expect((await servers()).docs).toMatchObject({ status: "up", restarts: 1, last_error: expect.stringMatching(/exited.*crashing on purpose/) });
    expect(await row("docs__crash", () => true)).toMatchObject({ endpoint: "/mcp", provider: "docs", status: 503, error_code: "mcp_server_unavailable" });
  });

  it("a call while it cannot come back waits for its timeout, then fails cleanly; it returns once it can", async () => {
    const client = await connect();
    const impatient = await connect({ "x-liaison-timeout-ms": "1500" });
    writeFileSync(failFile, "");
    try {
      await rpcError(call(client, "docs__crash"));
      const started = Date.now();
      const waited = await rpcError(call(impatient, "docs__echo", { text: "anyone?" }));
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(1_400);
      expect(took).toBeLessThan(6_000);
      expect(waited).toMatchObject({ code: -32010, data: { reason: "mcp_server_unavailable" } });
      expect(waited.message).toMatch(/restarting and was not back within 1500 ms/);
      // Each try takes a process start (slow on a loaded machine): the reason shows once one has failed.
      await expect.poll(async () => (await servers()).docs, { timeout: 10_000 }).toMatchObject({ status: "restarting", last_error: expect.stringMatching(/refusing to start/) });
      expect(await row("docs__echo", (r) => r.status === 503)).toMatchObject({ error_code: "mcp_server_unavailable" });
    } finally {
      rmSync(failFile, { force: true });
    }
    expect(textOf(await call(client, "docs__echo", { text: "back" }))).toBe("back");
    expect((await servers()).docs?.status).toBe("up");
  });

  it("a call past its timeout is a JSON-RPC timeout error", async () => {
    const client = await connect({ "x-liaison-timeout-ms": "500" });
    await call(client, "docs__echo", { text: "warm" });
    const late = await rpcError(call(client, "docs__sleep", { ms: 5_000 }));
    expect(late).toMatchObject({ code: -32001, data: { reason: "mcp_timeout" } });
    expect(await row("docs__sleep", () => true)).toMatchObject({ status: 504, error_code: "mcp_timeout" });
    expect(textOf(await call(client, "docs__echo", { text: "fine" }))).toBe("fine");
  });
});

describe("an HTTP server that is down", () => {
  it("gives a clear JSON-RPC error, shows as down, and its circuit opens", async () => {
    const client = await connect();
    expect(textOf(await call(client, "web__echo", { text: "up" }))).toBe("up");
    await web.close();

    const down = await rpcError(call(client, "web__search", { query: "q" }));
    expect(down).toMatchObject({ code: -32010, data: { reason: "mcp_server_unavailable" } });
    expect(down.message).toMatch(/MCP server 'web' cannot be reached/);
    expect((await servers()).web).toMatchObject({ status: "down", last_error: expect.stringMatching(/fetch failed|ECONNREFUSED|other side closed/) });

    await rpcError(call(client, "web__search", { query: "q" }));
    const open = await rpcError(call(client, "web__search", { query: "q" }));
    expect(open.message).toMatch(/circuit is open/);
    expect((await servers()).web).toMatchObject({ status: "down", circuit: "open" });
    expect(await row("web__search", (r) => r.status === 503)).toMatchObject({ endpoint: "/mcp", error_code: "mcp_server_unavailable" });

    // The session is unharmed, and the other server's tools still answer.
    expect(textOf(await call(client, "docs__echo", { text: "other server" }))).toBe("other server");
  });
});

describe("shutdown", () => {
  it("drains a tool call in flight, ends the open streams and stops the servers", async () => {
    const client = await connect();
    await call(client, "docs__echo", { text: "warm" });
    const inFlight = call(client, "docs__sleep", { ms: 800 });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const code = await gw.stop();
    expect(textOf(await inFlight)).toBe("slept 800 ms");
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
