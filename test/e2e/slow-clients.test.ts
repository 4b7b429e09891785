/**
 * Clients that hold connections without finishing a request: a slow body
 * is cut off with a 408 in OpenAI's error shape, a caller without a valid
 * key gets its 401 at once and loses the connection (its body is not read),
 * and server.max_connections bounds what is held at once.
 */
import { connect, type Socket } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "admin-key-slow-clients-0123456789";

let gw: CliServer;
let port: number;
beforeAll(async () => {
  gw = await startCli({ admin_key: ADMIN, server: { request_timeout_ms: 800, headers_timeout_ms: 400, max_connections: 6 } });
  port = Number(new URL(gw.url).port);
});
afterAll(async () => {
  await gw?.dispose();
});

interface Raw { socket: Socket; received: () => string; closed: Promise<number> }

/** A raw connection: what the server sends is collected; `closed` resolves with the ms from open to close. */
function open(): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let data = "";
    const socket = connect(port, "127.0.0.1", () => resolve({ socket, received: () => data, closed }));
    const closed = new Promise<number>((done) => socket.once("close", () => done(Date.now() - started)));
    socket.on("data", (d) => { data += d.toString(); });
    socket.on("error", () => {});
    socket.once("error", reject);
  });
}

function trickle(socket: Socket, everyMs: number): NodeJS.Timeout {
  return setInterval(() => { if (!socket.destroyed) socket.write("x"); }, everyMs);
}

describe("slow and unauthenticated clients", () => {
  it("a body that trickles in past server.request_timeout_ms gets a 408 in OpenAI's shape and the connection closes", async () => {
    const c = await open();
    c.socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`);
    const timer = trickle(c.socket, 100);
    const ms = await c.closed;
    clearInterval(timer);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    const body = c.received().split("\r\n\r\n")[1]!;
    expect(JSON.parse(body)).toMatchObject({ error: { type: "invalid_request_error", code: "request_timeout" } });
    // Node checks the timeout at an interval; the gateway keeps it well below the timeout.
    expect(ms).toBeLessThan(3_000);
  });

  it("headers that never finish get a 408 after server.headers_timeout_ms", async () => {
    const c = await open();
    c.socket.write("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n");
    const timer = setInterval(() => { if (!c.socket.destroyed) c.socket.write("x-slow: y\r\n"); }, 100);
    const ms = await c.closed;
    clearInterval(timer);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3_000);
  });

  it.each([
    ["/v1/chat/completions", ""],
    ["/v1/chat/completions", "authorization: Bearer wrong-key-0123456789\r\n"],
    ["/admin/keys", ""],
  ])("a request to %s without a valid key is answered 401 at once, with connection: close, its body unread", async (path, authHeader) => {
    const c = await open();
    c.socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\n${authHeader}content-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model":"mock/echo"`);
    const timer = trickle(c.socket, 50);
    const ms = await c.closed;
    clearInterval(timer);
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(c.received().toLowerCase()).toContain("connection: close");
    // Closed by the server long before the body (or any timeout) could have finished.
    expect(ms).toBeLessThan(700);
  });

  it("server.max_connections: connections past it are closed at once; the gateway serves again when they go", async () => {
    const idle = await Promise.all(Array.from({ length: 6 }, () => open()));
    await new Promise((r) => setTimeout(r, 50));
    const extra = await open();
    const ms = await extra.closed;
    expect(ms).toBeLessThan(500);
    expect(extra.received()).toBe("");
    for (const c of idle) c.socket.destroy();
    await Promise.all(idle.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 50));
    const res = await request(`${gw.url}/health`);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
  });

  it("keyed requests are served while slow clients hold connections", async () => {
    const slow = await Promise.all(Array.from({ length: 3 }, () => open()));
    const timers = slow.map((c) => {
      c.socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`);
      return trickle(c.socket, 100);
    });
    const res = await request(`${gw.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "served" }] }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    timers.forEach(clearInterval);
    for (const c of slow) c.socket.destroy();
  });
});
