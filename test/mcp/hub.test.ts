/**
 * The hub and its upstream connections against the SDK-written test servers:
 * a real child process over stdio and a real Streamable HTTP server —
 * started on demand, restarted with backoff, timed out, broken, and back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { DEFAULT_BREAKER_OPTIONS, MemoryCircuitBreakers } from "../../src/engine/health/index.js";
import { McpHub, type McpCallError } from "../../src/mcp/index.js";
import { startHttpMcpServer, type HttpMcpServer } from "./servers/http-server.js";
import { stdioServerConfig } from "./servers/stdio-command.js";

const quiet = { warn: () => {}, info: () => {} };
const hubs: McpHub[] = [];
const https: HttpMcpServer[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
  await Promise.all(https.splice(0).map((s) => s.close()));
});

function hub(mcp: Record<string, unknown>, breaker: Partial<typeof DEFAULT_BREAKER_OPTIONS> = {}): McpHub {
  const config = configSchema.parse({ mcp }).mcp!;
  const h = new McpHub(config, { breakers: new MemoryCircuitBreakers({ options: { ...DEFAULT_BREAKER_OPTIONS, ...breaker } }), logger: quiet });
  hubs.push(h);
  return h;
}

async function call(h: McpHub, tool: string, args: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<string> {
  const target = h.resolve(tool, "tools")!;
  const result = await target.upstream.request((c, o) => c.callTool({ name: target.name, arguments: args }, undefined, o), timeoutMs);
  return (result.content as { text: string }[])[0]!.text;
}

async function failure(promise: Promise<unknown>): Promise<McpCallError> {
  try {
    await promise;
  } catch (err) {
    return err as McpCallError;
  }
  throw new Error("expected a failure");
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("config", () => {
  it("takes stdio and HTTP servers and refuses names that would break SERVER__tool", () => {
    const ok = configSchema.parse({ mcp: { servers: { docs: { command: "x" }, "web-search_2": { url: "http://h/mcp", headers: { a: "b" } } } } }).mcp!;
    expect(ok.timeout_ms).toBe(30_000);
    expect(ok.servers.docs).toEqual({ command: "x", args: [] });
    for (const name of ["a__b", "a_", "_a", "a.b", ""]) {
      expect(configSchema.safeParse({ mcp: { servers: { [name]: { command: "x" } } } }).success, name).toBe(false);
    }
    expect(configSchema.safeParse({ mcp: { servers: { a: { command: "x", url: "http://h" } } } }).success).toBe(false);
    expect(configSchema.safeParse({ mcp: { servers: { a: { url: "ftp://h" } } } }).success).toBe(false);
  });
});

describe("a stdio server", () => {
  it("starts on demand, lists its tools under SERVER__tool, and answers", async () => {
    const h = hub({ servers: { docs: stdioServerConfig() } });
    expect((await h.status())[0]).toMatchObject({ name: "docs", transport: "stdio", status: "up", last_error: null, restarts: 0 });
    await h.ready();
    expect(h.tools().map((t) => t.name)).toEqual(expect.arrayContaining(["docs__echo", "docs__add", "docs__crash"]));
    expect(h.prompts().map((p) => p.name)).toEqual(["docs__greet"]);
    expect(h.resources()).toMatchObject([{ name: "docs__readme", uri: "test://docs/readme" }]);
    expect(h.resourceOwner("test://pages/7")?.name).toBe("docs__page");
    expect(h.resourceOwner("test://elsewhere")).toBeUndefined();
    expect(await call(h, "docs__echo", { text: "hi" })).toBe("hi");
    expect(h.resolve("docs__nope", "tools")).toBeUndefined();
    expect(h.resolve("nope__echo", "tools")).toBeUndefined();
  });

  it("is restarted when it dies; a call meanwhile waits for it", async () => {
    const h = hub({ restart: { initial_delay_ms: 300 }, servers: { docs: stdioServerConfig() } });
    const before = await call(h, "docs__pid");
    const crashed = await failure(call(h, "docs__crash"));
    expect(crashed).toMatchObject({ reason: "mcp_server_unavailable", code: -32010 });
    expect(h.upstream("docs")!.status).toBe("restarting");
    expect(h.upstream("docs")!.lastError).toMatch(/exited.*crashing on purpose/);
    const after = await call(h, "docs__pid"); // waits out the backoff and the start
    expect(after).not.toBe(before);
    expect((await h.status())[0]).toMatchObject({ status: "up", restarts: 1 });
  });

  it("a call during a restart that does not come back fails within its timeout, then the server returns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-fail-"));
    const failFile = join(dir, "fail");
    try {
      const h = hub({ restart: { initial_delay_ms: 100, max_delay_ms: 200 }, servers: { docs: stdioServerConfig({ MCP_TEST_FAIL_START: failFile }) } });
      await call(h, "docs__pid");
      writeFileSync(failFile, "");
      await failure(call(h, "docs__crash"));
      const started = Date.now();
      const waited = await failure(call(h, "docs__echo", { text: "x" }, 1_500));
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(waited).toMatchObject({ reason: "mcp_server_unavailable" });
      expect(waited.message).toMatch(/restarting and was not back within 1500 ms \(last error: .+\)/);
      expect(h.upstream("docs")!.status).toBe("restarting");
      // Each try is a process start (slow on a loaded machine): the reason shows once one has failed.
      await until(() => /refusing to start/.test(h.upstream("docs")!.lastError ?? ""));
      rmSync(failFile);
      expect(await call(h, "docs__echo", { text: "back" })).toBe("back");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a call past its timeout is a timeout error; the server stays up", async () => {
    const h = hub({ servers: { docs: stdioServerConfig() } });
    await h.ready(); // the timeout covers the wait for a start too: start it first
    const late = await failure(call(h, "docs__sleep", { ms: 3_000 }, 300));
    expect(late).toMatchObject({ reason: "mcp_timeout", code: -32001, status: 504 });
    expect(h.upstream("docs")!.status).toBe("up");
    expect(await call(h, "docs__echo", { text: "still here" })).toBe("still here");
  });

  it("passes a changed tool list on", async () => {
    const h = hub({ servers: { docs: stdioServerConfig() } });
    await h.ready();
    const changes: string[][] = [];
    h.onChange((kinds) => changes.push(kinds));
    await call(h, "docs__grow");
    await until(() => h.tools().some((t) => t.name === "docs__extra1"));
    expect(changes).toContainEqual(["tools"]);
  });

  it("a command that cannot start is down with the reason, and not retried before its backoff", async () => {
    const h = hub({ restart: { initial_delay_ms: 60_000 }, servers: { gone: { command: "/nonexistent/mcp-server" } } });
    const first = await failure(h.upstream("gone")!.client(5_000));
    expect(first.message).toMatch(/could not be started: .*ENOENT/);
    expect(await failure(h.upstream("gone")!.client(5_000))).toMatchObject({ message: expect.stringMatching(/next try is in \d+ s/) });
    expect((await h.status())[0]).toMatchObject({ status: "down", last_error: expect.stringMatching(/ENOENT/), tools: [] });
  });
});

describe("an HTTP server", () => {
  it("answers, sends its headers, and a dead one is down with a clear error, then its circuit opens", async () => {
    const server = await startHttpMcpServer();
    https.push(server);
    const h = hub({ servers: { web: { url: server.url, headers: { "x-test-token": "t0k" } } } }, { consecutiveFailures: 2, cooldownMs: 400 });
    expect(await call(h, "web__search", { query: "mcp" })).toBe('3 results for "mcp"');
    expect(server.tokens).toContain("t0k");
    expect((await h.status())[0]).toMatchObject({ transport: "http", status: "up", circuit: "closed" });

    await server.close();
    const down = await failure(call(h, "web__echo", { text: "x" }));
    expect(down).toMatchObject({ reason: "mcp_server_unavailable", status: 503 });
    expect(down.message).toMatch(/MCP server 'web'.*(ECONNREFUSED|fetch failed)/);
    expect(h.upstream("web")!.status).toBe("down");
    await failure(call(h, "web__echo", { text: "x" })); // the second failure in a row opens the circuit
    const open = await failure(call(h, "web__echo", { text: "x" }));
    expect(open.message).toMatch(/circuit is open/);
    expect((await h.status())[0]).toMatchObject({ status: "down", circuit: "open", last_error: expect.stringMatching(/ECONNREFUSED|fetch failed/) });

    // Back on the same port: after the cooldown a probe reconnects.
    https.push(await startHttpMcpServer(server.port));
    await new Promise((r) => setTimeout(r, 450));
    expect(await call(h, "web__echo", { text: "back" })).toBe("back");
    expect(h.upstream("web")!.status).toBe("up");
  });

  it("reconnects once when the server forgot the session (it restarted)", async () => {
    const server = await startHttpMcpServer();
    https.push(server);
    const h = hub({ servers: { web: { url: server.url } } });
    expect(await call(h, "web__echo", { text: "one" })).toBe("one");
    server.forget();
    expect(await call(h, "web__echo", { text: "two" })).toBe("two");
    expect(h.upstream("web")!.status).toBe("up");
  });
});
