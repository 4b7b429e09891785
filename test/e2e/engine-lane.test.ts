/**
 * The engine lane (src/server/engine-lane.ts) serves the model calls off
 * node:http in front of fastify. These are the HTTP details it took over from
 * fastify, checked on the real CLI server with raw sockets where a client
 * library would hide them.
 */
import { connect } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { Engine } from "../../src/engine/engine.js";
import { buildApp } from "../../src/server/app.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let gw: CliServer;
const valid = { model: "mock/echo", messages: [{ role: "user", content: "hi" }] };

beforeAll(async () => {
  gw = await startCli({ server: { body_limit_mb: 1 } });
});
afterAll(async () => {
  await gw?.dispose();
});

/** One raw HTTP/1.1 exchange: what was written, and everything the server sent until it closed or went quiet. */
function raw(text: string | Buffer[], quietMs = 400): Promise<string> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let got = "";
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    socket.on("data", (d) => {
      got += d.toString();
      arm();
    });
    socket.on("close", done);
    socket.on("error", (err) => (got ? done() : reject(err)));
    socket.on("connect", () => {
      if (typeof text === "string") socket.write(text);
      else for (const part of text) socket.write(part);
      arm();
    });
  });
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  request(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("engine lane", () => {
  it("answers with the same headers fastify gave: x-request-id, JSON type with charset, content-length, keep-alive", async () => {
    const res = await post("/v1/chat/completions", JSON.stringify(valid));
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-request-id"]).toMatch(/^req_[0-9a-f]{24}$/);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(text));
    expect(res.headers["x-liaison-provider"]).toBe("mock");
    expect(JSON.parse(text).choices[0].message.content).toBe("hi");
  });

  it("takes a query string, a charset parameter and a chunked body", async () => {
    const body = JSON.stringify(valid);
    const out = await raw([
      Buffer.from("POST /v1/chat/completions?api-version=2024-10-21 HTTP/1.1\r\nHost: x\r\nContent-Type: Application/JSON; charset=utf-8\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"),
      Buffer.from(`${(10).toString(16)}\r\n${body.slice(0, 10)}\r\n`),
      Buffer.from(`${Buffer.byteLength(body.slice(10)).toString(16)}\r\n${body.slice(10)}\r\n0\r\n\r\n`),
    ]);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(out).toContain('"content":"hi"');
  });

  it("refuses keys that would poison a prototype, with a 400 that says so", async () => {
    for (const body of ['{"model":"mock/echo","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}',
      '{"model":"mock/echo","messages":[],"constructor":{"prototype":{"admin":true}}}']) {
      const res = await post("/v1/chat/completions", body);
      const parsed = await res.body.json() as { error: { code: string; message: string } };
      expect(res.statusCode).toBe(400);
      expect(parsed.error.code).toBe("invalid_json");
      expect(parsed.error.message).toMatch(/__proto__/);
    }
  });

  it("answers a chunked body past the limit with a 413 at once, and drops the rest so the client can finish and go on", async () => {
    const chunk = "x".repeat(256 * 1024);
    const parts = [Buffer.from("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")];
    for (let i = 0; i < 6; i++) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n${chunk}\r\n`));
    const out = await raw(parts);
    expect(out).toMatch(/^HTTP\/1\.1 413 /);
    expect(out).toContain("1 MB");
    // Closing while the client still writes would reach it as a broken connection, not as this answer.
    expect(out.toLowerCase()).not.toContain("connection: close");
    // The client finishes its body; the same connection then serves the next request.
    const next = await raw([...parts, Buffer.from("0\r\n\r\n"), Buffer.from(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${JSON.stringify(valid).length}\r\n\r\n${JSON.stringify(valid)}`)]);
    expect(next.match(/HTTP\/1\.1 \d+/g)).toEqual(["HTTP/1.1 413", "HTTP/1.1 200"]);
  });

  it("refuses a missing body, a form body and an unknown method in the error shape", async () => {
    const none = await request(`${gw.url}/v1/chat/completions`, { method: "POST" });
    expect(none.statusCode).toBe(400);
    expect((await none.body.json() as { error: { message: string } }).error.message).toMatch(/JSON object/);
    const form = await post("/v1/embeddings", "a=b", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.statusCode).toBe(415);
    expect(form.headers["x-request-id"]).toMatch(/^req_/);
    await form.body.dump();
    const put = await request(`${gw.url}/v1/chat/completions`, { method: "PUT", body: "{}" });
    expect(put.statusCode).toBe(404);
    await put.body.dump();
  });

  it("logs a request refused for a bad gateway header, like any refused request", async () => {
    const res = await post("/v1/chat/completions", JSON.stringify(valid), { "x-liaison-timeout-ms": "soon" });
    expect(res.statusCode).toBe(400);
    const id = res.headers["x-request-id"] as string;
    await res.body.dump();
    await expect.poll(async () => (await request(`${gw.url}/admin/logs/${id}`)).statusCode, { timeout: 5_000 }).toBe(200);
    const row = await (await request(`${gw.url}/admin/logs/${id}`)).body.json() as { status: number; error_code: string };
    expect(row).toMatchObject({ status: 400, error_code: "invalid_request" });
  });
});

describe("engine lane during shutdown", () => {
  it("answers new model calls 503 shutting_down and closes the connection; /ready says so too", async () => {
    const engine = await Engine.create(validateConfig({ logging: { level: "silent", requests: false }, providers: { demo: { type: "mock" } } }));
    const state = { shuttingDown: false };
    const app = buildApp(engine, state);
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const body = JSON.stringify({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] });
      const ok = await request(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(ok.statusCode).toBe(200);
      await ok.body.dump();
      state.shuttingDown = true;
      const refused = await request(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers.connection).toBe("close");
      expect(refused.headers["retry-after"]).toBe("1");
      expect((await refused.body.json() as { error: { code: string } }).error.code).toBe("shutting_down");
      const ready = await request(`${url}/ready`);
      expect(ready.statusCode).toBe(503);
      await ready.body.dump();
    } finally {
      await app.close();
      await engine.close();
    }
  });
});
