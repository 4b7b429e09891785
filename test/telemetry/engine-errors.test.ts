/**
 * An unexpected exception inside a request (a bug, simulated by breaking an
 * adapter) reaches Sentry once, through the engine's reporter, tagged with
 * the request id and without the prompt or the caller's key; the caller gets
 * a plain 500 internal_error with no stack trace, and upstream failures or bad
 * requests are not reported at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { Engine } from "../../src/engine/engine.js";
import { buildApp } from "../../src/server/app.js";
import { startSentryIngest, type SentryIngest } from "../fakes/telemetry/sentry-ingest.js";

const PROMPT = "the confidential merger plan";
let ingest: SentryIngest;
let engine: Engine;
let app: ReturnType<typeof buildApp>;
let url: string;

beforeAll(async () => {
  ingest = await startSentryIngest();
  engine = await Engine.create(validateConfig({
    logging: { level: "silent", requests: false },
    providers: { demo: { type: "mock" } },
    telemetry: { sentry: { dsn: ingest.dsn, environment: "test" } },
  }));
  // The bug: the adapter throws something that is not a GatewayError.
  const target = engine.router.resolve("demo/broken").targets[0]!;
  target.provider.chat = async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'choices')");
  };
  app = buildApp(engine);
  url = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app?.close();
  await engine?.close();
  await ingest?.close();
});

const post = (model: string, messages: unknown[]) => fetch(`${url}/v1/chat/completions`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: "Bearer sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789" },
  body: JSON.stringify({ model, messages }),
});

describe("unexpected errors", () => {
  it("answer 500 internal_error without a stack, and are reported once without bodies or keys", async () => {
    const res = await post("demo/broken", [{ role: "user", content: PROMPT }]);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ error: { type: "api_error", code: "internal_error" } });
    expect(body).not.toMatch(/TypeError|at .*\.js/);
    const requestId = res.headers.get("x-request-id");

    await engine.errors.flush(2_000);
    const events = await ingest.waitForEvents(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tags: { request_id: requestId, error_code: "internal_error", route: "/v1/chat/completions" } });
    expect(JSON.stringify(events[0])).toMatch(/Cannot read properties of undefined/);
    const raw = ingest.envelopes.map((e) => e.raw).join("\n");
    expect(raw).not.toContain(PROMPT);
    expect(raw).not.toContain("sk-proj-AbCdEfGh");
  });

  it("are not confused with a client's mistake or an upstream failure: those are not reported", async () => {
    const before = ingest.envelopes.length;
    expect((await post("demo/echo", [])).status).toBe(400);
    expect((await post("nope/echo", [{ role: "user", content: "x" }])).status).toBe(404);
    await engine.errors.flush(1_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(ingest.envelopes.length).toBe(before);
  });
});
