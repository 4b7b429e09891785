/**
 * Error reporting through the real @sentry/node client to a fake ingest
 * endpoint: what arrives, and what must never arrive.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createErrorReporter, scrubEvent, type ErrorReporter } from "../../src/telemetry/error-reporter.js";
import { startSentryIngest, type SentryIngest } from "../fakes/telemetry/sentry-ingest.js";

const OPENAI_KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";
const VIRTUAL_KEY = "lsk_AbCd1234_0123456789abcdefghijABCDEFGHIJ0123456789";
const BEARER = "Bearer tok3n-value";
const PROMPT = "my confidential prompt about the merger";

let ingest: SentryIngest;
let reporter: ErrorReporter | undefined;

beforeEach(async () => {
  ingest = await startSentryIngest();
});

afterEach(async () => {
  await reporter?.close(1_000);
  reporter = undefined;
  await ingest.close();
});

interface ExceptionValue { type?: string; value?: string }

describe("error reporter (Sentry)", () => {
  it("is a no-op without a DSN", async () => {
    for (const config of [undefined, {}, { dsn: "" }]) {
      const r = await createErrorReporter(config);
      expect(r.enabled).toBe(false);
      r.capture(new Error("x"), { requestId: "r" });
      await r.flush();
      await r.close();
    }
    expect(ingest.envelopes).toHaveLength(0);
  });

  it("sends the error with request id, route, code and trace id tags, and nothing secret", async () => {
    reporter = await createErrorReporter({ dsn: ingest.dsn, environment: "test", release: "liaison@0.1.0" });
    expect(reporter.enabled).toBe(true);

    const cause = new Error(`upstream rejected ${VIRTUAL_KEY}`);
    const err = Object.assign(new Error(`store write failed for key ${OPENAI_KEY} (${BEARER})`, { cause }), {
      // What a careless error might carry: none of it may leave.
      body: { messages: [{ role: "user", content: PROMPT }] },
      headers: { authorization: BEARER },
    });
    reporter.capture(err, { requestId: "req_abc123", route: "/v1/chat/completions", code: "internal_error", traceId: "4bf92f3577b34da6a3ce929d0e0e4736" });
    await reporter.flush(2_000);

    const [event] = await ingest.waitForEvents(1);
    expect(event).toMatchObject({
      level: "error",
      environment: "test",
      release: "liaison@0.1.0",
      tags: { request_id: "req_abc123", route: "/v1/chat/completions", error_code: "internal_error", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" },
    });
    const values = (event!.exception as { values: ExceptionValue[] }).values;
    const messages = values.map((v) => v.value);
    expect(messages).toContain("store write failed for key [redacted] ([redacted])");
    expect(messages).toContain("upstream rejected [redacted]"); // the cause is reported too, scrubbed
    expect(event).not.toHaveProperty("request");
    expect(event).not.toHaveProperty("user");
    expect(event).not.toHaveProperty("extra");

    const everything = ingest.envelopes.map((e) => e.raw).join("\n");
    for (const secret of [OPENAI_KEY, VIRTUAL_KEY, "tok3n-value", PROMPT]) expect(everything).not.toContain(secret);
  });

  it("reports a thrown non-Error without its contents", async () => {
    reporter = await createErrorReporter({ dsn: ingest.dsn });
    reporter.capture({ body: PROMPT, api_key: OPENAI_KEY }, { requestId: "req_2" });
    await reporter.flush(2_000);
    const [event] = await ingest.waitForEvents(1);
    expect(event).toMatchObject({ tags: { request_id: "req_2" } });
    const everything = ingest.envelopes.map((e) => e.raw).join("\n");
    expect(everything).not.toContain(PROMPT);
    expect(everything).not.toContain(OPENAI_KEY);
  });

  it("honours sample_rate 0", async () => {
    reporter = await createErrorReporter({ dsn: ingest.dsn, sample_rate: 0 });
    reporter.capture(new Error("dropped"), {});
    await reporter.flush(1_000);
    expect(ingest.events()).toHaveLength(0);
  });

  it("warns and carries on when the DSN is unusable", async () => {
    const warnings: string[] = [];
    const r = await createErrorReporter({ dsn: "not a dsn" }, { warn: (_o, msg) => warnings.push(msg ?? "") });
    expect(r.enabled).toBe(false);
    expect(warnings).toEqual([expect.stringContaining("Sentry DSN is not of the form")]);
    r.capture(new Error("x"), {});
    await r.flush(100);
    await r.close(100);
    expect(ingest.envelopes).toHaveLength(0);
  });
});

describe("scrubEvent", () => {
  it("drops request data, users, extras, breadcrumb data and request-describing contexts; scrubs text", () => {
    const event = scrubEvent({
      message: `failed with ${OPENAI_KEY}`,
      logentry: { message: `m ${BEARER}`, formatted: `f ${VIRTUAL_KEY}`, params: [PROMPT] },
      request: { data: PROMPT, headers: { authorization: BEARER }, cookies: { s: "1" } },
      user: { ip_address: "10.0.0.1" },
      extra: { body: PROMPT },
      breadcrumbs: [{ message: `call with ${OPENAI_KEY}`, data: { body: PROMPT } }],
      exception: { values: [{ value: `bad ${BEARER}`, stacktrace: { frames: [{ filename: "a.js", vars: { prompt: PROMPT }, context_line: PROMPT }] } }] },
      tags: { request_id: "r1", note: OPENAI_KEY },
      contexts: { trace: { trace_id: "t" }, runtime: { name: "node" }, response: { headers: { "set-cookie": "x" } } },
    });
    const text = JSON.stringify(event);
    for (const secret of [OPENAI_KEY, VIRTUAL_KEY, "tok3n-value", PROMPT, "10.0.0.1", "set-cookie"]) expect(text).not.toContain(secret);
    expect(event.tags).toEqual({ request_id: "r1", note: "[redacted]" });
    expect(Object.keys(event.contexts ?? {})).toEqual(["trace", "runtime"]);
    expect(event.exception?.values?.[0]?.stacktrace?.frames?.[0]).toEqual({ filename: "a.js" });
    expect(event.breadcrumbs).toEqual([{ message: "call with [redacted]" }]);
  });
});
