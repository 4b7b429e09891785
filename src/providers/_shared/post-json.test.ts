/**
 * postJson against a real HTTP server: a 2xx answer comes back unread; any
 * other goes through the provider's mapper with its body parsed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { CallContext } from "../types.js";
import { UpstreamClient, type UpstreamHeaders } from "./http.js";
import { postJson } from "./post-json.js";

let server: Server;
let base: string;
const client = new UpstreamClient("up", { connectTimeoutMs: 1000 });
const ctx: CallContext = { signal: new AbortController().signal, timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 }, requestId: "r" };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      if (req.url === "/ok") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ echo: JSON.parse(body) as unknown, auth: req.headers.authorization ?? null }));
      } else if (req.url === "/json-error") {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "3" });
        res.end('{"error":{"message":"slow down"}}');
      } else {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<html>Bad Gateway</html>");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const seen: { provider: string; status: number; headers: UpstreamHeaders; body: unknown }[] = [];
function mapper(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  seen.push({ provider, status, headers, body });
  return new GatewayError("upstream_error", `mapped ${status}`);
}

describe("postJson", () => {
  it("hands back a 2xx answer with its body unread", async () => {
    const res = await postJson(client, { url: `${base}/ok`, headers: { authorization: "Bearer k" }, body: '{"a":1}', ctx }, mapper);
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.body.text())).toEqual({ echo: { a: 1 }, auth: "Bearer k" });
  });

  it("maps any other answer with its status, headers and parsed body", async () => {
    await expect(postJson(client, { url: `${base}/json-error`, headers: {}, body: "{}", ctx }, mapper)).rejects.toThrow("mapped 429");
    await expect(postJson(client, { url: `${base}/html`, headers: {}, body: "{}", ctx }, mapper)).rejects.toThrow("mapped 502");
    expect(seen.map((s) => [s.provider, s.status, s.headers["retry-after"], s.body])).toEqual([
      ["up", 429, "3", { error: { message: "slow down" } }],
      ["up", 502, undefined, { message: "<html>Bad Gateway</html>" }],
    ]);
  });
});
