/**
 * Browser apps and CORS (server.cors): a preflight is answered without a key
 * (it carries none); an allowed origin is told so on preflights and answers,
 * with the gateway's headers exposed; any other origin gets no CORS headers,
 * so the browser refuses the call.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "admin-key-cors-0123456789";
const APP = "https://app.example.com";
let gw: CliServer;
let closed: CliServer;

beforeAll(async () => {
  gw = await startCli({ admin_key: ADMIN, server: { cors: { origins: [APP], max_age_s: 120 } } });
  closed = await startCli({ admin_key: ADMIN });
});
afterAll(async () => {
  await gw?.dispose();
  await closed?.dispose();
});

const preflight = (url: string, origin: string) => request(`${url}/v1/chat/completions`, {
  method: "OPTIONS",
  headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, x-stainless-os" },
});

describe("CORS", () => {
  it("answers an allowed origin's preflight without a key", async () => {
    const res = await preflight(gw.url, APP);
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(APP);
    expect(res.headers["access-control-allow-methods"]).toContain("POST");
    expect(res.headers["access-control-allow-headers"]).toBe("authorization, content-type, x-stainless-os");
    expect(res.headers["access-control-max-age"]).toBe("120");
    await res.body.dump();
  });

  it("marks the answers to an allowed origin, the gateway's headers exposed, errors included", async () => {
    const ok = await request(`${gw.url}/v1/chat/completions`, {
      method: "POST", headers: { origin: APP, authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "from a browser" }] }),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["access-control-allow-origin"]).toBe(APP);
    expect(ok.headers["access-control-expose-headers"]).toContain("x-request-id");
    expect(ok.headers.vary).toContain("Origin");
    await ok.body.dump();
    const denied = await request(`${gw.url}/v1/models`, { headers: { origin: APP } });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers["access-control-allow-origin"]).toBe(APP);
    await denied.body.dump();
  });

  it("gives other origins, and every origin without server.cors, no CORS headers", async () => {
    for (const [url, origin] of [[gw.url, "https://evil.example.com"], [closed.url, APP]] as const) {
      const res = await preflight(url, origin);
      expect(res.statusCode).toBe(204);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
      await res.body.dump();
      const answer = await request(`${url}/health`, { headers: { origin } });
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
      await answer.body.dump();
    }
  });
});
