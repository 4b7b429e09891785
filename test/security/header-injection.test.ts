/**
 * Header injection: nothing a client sends becomes a response header it did
 * not ask for, or a header sent upstream that the gateway did not mean to
 * send. The values the gateway echoes into response headers are its own
 * (request ids), names it validated (x-liaison-model), or, for CORS, header
 * values Node's parser already held to the header character set; the
 * `x-liaison-*` request headers are parsed strictly and refused (400) when
 * malformed; a client's traceparent goes upstream only when it is a valid
 * W3C one.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, startRecorder, type Gateway, type Recorder } from "./upstream-target.js";

const ADMIN = "admin-key-headers-0123456789";
const ORIGIN = "https://app.example.com";
/** The response headers the gateway may send on a model call (lower case). */
const KNOWN = new Set([
  "x-request-id", "request-id", "x-liaison-provider", "x-liaison-model", "x-liaison-attempts", "x-liaison-cache", "x-liaison-cost-usd",
  "x-liaison-route-score", "x-liaison-response-stored", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens", "retry-after", "content-type", "content-length",
  "connection", "keep-alive", "date", "cache-control", "transfer-encoding", "vary", "access-control-allow-origin", "access-control-expose-headers",
]);

let recorder: Recorder;
let gw: Gateway;
let port: number;

beforeAll(async () => {
  recorder = await startRecorder();
  gw = await startGateway({
    admin_key: ADMIN,
    server: { cors: { origins: [ORIGIN] } },
    routing: { retry: { max_attempts: 1 } },
    providers: { mock: { type: "mock" }, oa: { type: "openai", base_url: `${recorder.url}/v1`, api_key: "sk-0123456789" } },
  });
  port = Number(new URL(gw.url).port);
});
afterAll(async () => {
  await gw?.close();
  await recorder?.close();
});

/** One request on its own connection, and the answer's status, headers (as latin-1) and body. */
function raw(head: string, body = ""): Promise<{ status: number; headers: [string, string][]; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [top, ...rest] = text.split("\r\n\r\n");
      const lines = (top ?? "").split("\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
      const headers = lines.slice(1).map((l) => {
        const i = l.indexOf(":");
        return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as [string, string];
      });
      resolve({ status, headers, body: rest.join("\r\n\r\n") });
    });
    // The head byte for byte (latin-1: what a header can carry), the body as UTF-8 JSON.
    socket.write(Buffer.concat([Buffer.from(`${head}connection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`, "latin1"), Buffer.from(body)]));
  });
}

const chatBody = (model = "mock/echo") => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] });
const post = (extra: string, body = chatBody()) =>
  raw(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN}\r\ncontent-type: application/json\r\n${extra}`, body);

function expectOnlyKnownHeaders(headers: [string, string][], what: string): void {
  for (const [name] of headers) expect(KNOWN.has(name), `${what}: unexpected response header ${name}`).toBe(true);
  expect(headers.filter(([n]) => n === "set-cookie"), what).toEqual([]);
}

describe("x-liaison-* request headers", () => {
  it.each([
    ["x-liaison-metadata", '{"a":"x\\r\\nset-cookie: evil=1"}', 200],
    ["x-liaison-metadata", '{"a":"\u00e9\u00ff"}', 200],
    ["x-liaison-metadata", "not json\u00ff", 400],
    ["x-liaison-metadata", '["an array"]', 400],
    ["x-liaison-timeout-ms", "1000 ", 200],
    ["x-liaison-timeout-ms", "soon\u00ff", 400],
    ["x-liaison-timeout-ms", "1000, 2000", 400],
    ["x-liaison-cache", "bypass\u00ff", 400],
    ["x-liaison-cache", "bypass, set-cookie", 400],
    ["x-liaison-cache-ttl", "60;set-cookie=1", 400],
    ["cache-control", "max-age=1\u00e9", 400],
  ])("%s: %j → %i, and no header of the client's making in the answer", async (name, value, status) => {
    const res = await post(`${name}: ${value}\r\n`);
    expect(res.status, res.body).toBe(status);
    expectOnlyKnownHeaders(res.headers, `${name}: ${value}`);
    if (status === 400) {
      const { error } = JSON.parse(res.body) as { error: { type: string; param: string } };
      expect(error.type).toBe("invalid_request_error");
      expect(error.param.startsWith(name), error.param).toBe(true);
    }
  });

  it("a header value with a bare CR, LF or NUL never reaches the gateway: Node's parser answers 400 and closes", async () => {
    for (const value of ["a\rset-cookie: x=1", "a\nset-cookie: x=1", "a\u0000b"]) {
      const res = await post(`x-liaison-metadata: ${value}\r\n`);
      expect(res.status, JSON.stringify(value)).toBe(400);
      expectOnlyKnownHeaders(res.headers, JSON.stringify(value));
    }
  });
});

describe("values echoed into response headers", () => {
  it("the request id is the gateway's own, whatever ids the client sends", async () => {
    const res = await post("x-request-id: injected\u00ff\r\nrequest-id: injected\r\nx-liaison-request-id: injected\r\n");
    expect(res.status).toBe(200);
    const ids = res.headers.filter(([n]) => n === "x-request-id").map(([, v]) => v);
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^req_[A-Za-z0-9]+$/);
    expect(res.headers.some(([, v]) => v.includes("injected"))).toBe(false);
  });

  it.each([
    ["mock/echo\r\nset-cookie: evil=1"], ["mock/echo\nx: y"], ["mock/echo\u0000"], ["mock/\u0100"], ["mock/\u2028echo"], ["mock/echo\u007f"],
  ])("a model name %j that could not be a header value is a 400 before x-liaison-model is set", async (model) => {
    const res = await post("", chatBody(model));
    expect(res.status).toBe(400);
    expect(res.headers.find(([n]) => n === "x-liaison-model")).toBeUndefined();
    expectOnlyKnownHeaders(res.headers, model);
  });

  it("a name with characters up to U+00FF is echoed in one header, nothing more", async () => {
    const res = await post("", chatBody("mock/\u00e9cho"));
    expect(res.status).toBe(200);
    const echoed = res.headers.filter(([n]) => n === "x-liaison-model").map(([, v]) => v);
    expect(echoed).toHaveLength(1);
    // Node writes it as UTF-8 bytes (read here as latin-1): either way the same text, in one header.
    expect([echoed[0], Buffer.from(echoed[0]!, "latin1").toString("utf8")]).toContain("\u00e9cho");
    expectOnlyKnownHeaders(res.headers, "latin-1");
  });

  it("CORS echoes only an allowed origin, and the preflight's asked-for headers only as Node parsed them", async () => {
    const other = await raw(`OPTIONS /v1/chat/completions HTTP/1.1\r\nhost: x\r\norigin: https://evil.example\r\naccess-control-request-method: POST\r\n`);
    expect(other.headers.find(([n]) => n === "access-control-allow-origin")).toBeUndefined();
    const asked = "authorization, x-\u00e9";
    const ok = await raw(`OPTIONS /v1/chat/completions HTTP/1.1\r\nhost: x\r\norigin: ${ORIGIN}\r\naccess-control-request-method: POST\r\naccess-control-request-headers: ${asked}\r\n`);
    expect(ok.status).toBe(204);
    expect(ok.headers.filter(([n]) => n === "access-control-allow-headers")).toEqual([["access-control-allow-headers", asked]]);
    const names = ok.headers.map(([n]) => n);
    expect(new Set(names).size, names.join()).toBe(names.length);
  });
});

describe("headers sent upstream", () => {
  it("a client's traceparent goes upstream only when it is valid; anything else is not forwarded", async () => {
    const valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    for (const [value, forwarded] of [[valid, true], ["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\u00ff", false], ["00-xyz; injected", false]] as const) {
      const before = recorder.requests.length;
      const res = await post(`traceparent: ${value}\r\n`, chatBody("oa/gpt-4o"));
      expect(res.status, res.body).toBe(400); // the recorder's refusal, passed on
      const sent = recorder.requests.slice(before);
      expect(sent).toHaveLength(1);
      const got = sent[0]!.headers.traceparent;
      if (forwarded) expect(String(got)).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-0[01]$/);
      else expect(got === undefined || (!String(got).includes("injected") && !String(got).includes("\u00ff")), String(got)).toBe(true);
    }
  });

  it("gateway headers and the client's credentials stay at the gateway", async () => {
    const before = recorder.requests.length;
    await post("x-liaison-metadata: {\"a\":1}\r\nx-liaison-cache: bypass\r\ncookie: session=1\r\n", chatBody("oa/gpt-4o"));
    const sent = recorder.requests.slice(before);
    expect(sent).toHaveLength(1);
    const names = Object.keys(sent[0]!.headers);
    expect(names.filter((n) => n.startsWith("x-liaison-") || n === "cookie")).toEqual([]);
    expect(sent[0]!.headers.authorization).toBe("Bearer sk-0123456789");
  });
});
