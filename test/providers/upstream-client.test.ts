/**
 * UpstreamClient.requestStream/requestText against a real HTTP server: which
 * response headers come back, backpressure through undici's callback
 * handler, and cancellation through the engine's link or a plain signal.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import { CallbackLink } from "../../src/core/client-link.js";
import { UpstreamClient } from "../../src/providers/_shared/http.js";
import type { CallContext } from "../../src/providers/types.js";

let server: Server;
let base: string;
const client = new UpstreamClient("t", { connectTimeoutMs: 1000 });

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/ok") {
      res.writeHead(200, { "content-type": "application/json", "x-upstream-id": "u1" });
      res.end('{"ok":true}');
    } else if (req.url === "/busy") {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      res.end('{"error":{"message":"slow down"}}');
    } else if (req.url === "/many") {
      res.writeHead(200, { "content-type": "text/plain" });
      let i = 0;
      const write = () => {
        while (i < 400) {
          if (!res.write(`${String(i++).padStart(5, "0")}${"x".repeat(4090)}\n`)) return void res.once("drain", write);
        }
        res.end();
      };
      write();
    } else {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first");
      // /hang: never ends until the client goes
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function ctx(extra: Partial<CallContext> = {}): CallContext {
  return { signal: new AbortController().signal, timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 }, requestId: "r", ...extra };
}

describe("UpstreamClient", () => {
  it("returns a 2xx answer's headers only when asked, an error answer's always", async () => {
    expect((await client.requestText({ url: `${base}/ok`, headers: {}, ctx: ctx() })).headers).toEqual({});
    const asked = await client.requestText({ url: `${base}/ok`, headers: {}, ctx: ctx(), responseHeaders: true });
    expect(asked).toMatchObject({ status: 200, text: '{"ok":true}', headers: { "x-upstream-id": "u1" } });
    const busy = await client.requestText({ url: `${base}/busy`, headers: {}, ctx: ctx() });
    expect(busy.status).toBe(429);
    expect(busy.headers["retry-after"]).toBe("7");
  });

  it("reads a long body through pauses and resumes without losing or reordering a chunk", async () => {
    const res = await client.requestStream({ url: `${base}/many`, method: "GET", headers: {}, ctx: ctx() });
    let text = "";
    for await (const chunk of res.body) {
      text += chunk.toString();
      await new Promise((r) => setImmediate(r)); // a slow reader: the queue fills and the connection pauses
    }
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(400);
    expect(lines.map((l) => Number(l.slice(0, 5)))).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it("cancels through the engine's link: the body fails with the link's reason", async () => {
    const link = new CallbackLink();
    const res = await client.requestStream({ url: `${base}/hang`, method: "GET", headers: {}, ctx: ctx({ link }) });
    const first = await res.body.next();
    expect(first.value!.toString()).toBe("first");
    setTimeout(() => link.abort(new GatewayError("upstream_timeout", "total timeout")), 20);
    await expect(res.body.next()).rejects.toMatchObject({ code: "upstream_timeout" });
  });

  it("refuses at once when the link or signal is already aborted, and cancels through a plain signal", async () => {
    const link = new CallbackLink();
    link.abort();
    await expect(client.requestStream({ url: `${base}/ok`, headers: {}, ctx: ctx({ link }) })).rejects.toMatchObject({ code: "client_closed" });
    const controller = new AbortController();
    const res = await client.requestStream({ url: `${base}/hang`, method: "GET", headers: {}, ctx: ctx({ signal: controller.signal }) });
    await res.body.next();
    setTimeout(() => controller.abort(), 20);
    await expect(res.body.next()).rejects.toMatchObject({ code: "client_closed" });
  });
});
