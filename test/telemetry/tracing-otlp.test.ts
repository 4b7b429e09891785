/**
 * Tracing on: spans go through the real SDK and OTLP/HTTP exporter to a fake
 * collector, and the test reads them back as the collector decoded them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTracing, genAiRequestAttributes, genAiResponseAttributes, genAiSpanName, parseTraceparent,
  type Tracing, type TracingConfig,
} from "../../src/telemetry/tracing.js";
import { genAiNamesOf } from "../../src/providers/registry.js";
import { SPAN_KIND, STATUS_CODE, startOtlpCollector, type CollectedSpan, type OtlpCollector } from "../fakes/telemetry/otlp-collector.js";

const CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";
const SECRET = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";

let collector: OtlpCollector;
let tracing: Tracing | undefined;

beforeEach(async () => {
  collector = await startOtlpCollector();
});

afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
  await collector.close();
});

function config(extra: Partial<TracingConfig> = {}): TracingConfig {
  return { enabled: true, endpoint: collector.url, service_name: "liaison-test", sample_ratio: 1, batch: { scheduled_delay_ms: 20 }, ...extra };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const byName = (spans: CollectedSpan[], name: string): CollectedSpan => {
  const span = spans.find((s) => s.name === name);
  if (!span) throw new Error(`no span named ${name} among ${spans.map((s) => s.name).join(", ")}`);
  return span;
};

describe("tracing on (OTLP/HTTP)", () => {
  it("continues the client's trace: request span under the client's span, attempts under the request", async () => {
    tracing = await createTracing(config({ headers: { "x-collector-key": "k1" } }));
    expect(tracing.enabled).toBe(true);

    const request = tracing.startRequest(
      genAiSpanName("chat", "smart"),
      genAiRequestAttributes("chat", { model: "smart", max_tokens: 50, temperature: 0.2, top_p: 0.9, stop: "END", n: 1 }),
      `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
    );
    expect(request.traceId).toBe(CLIENT_TRACE);

    const first = request.child(genAiSpanName("chat", "gpt-4o"), genAiRequestAttributes("chat", { model: "gpt-4o" }, genAiNamesOf("openai")));
    first.fail({ code: "upstream_unavailable", message: `upstream said 503 (key ${SECRET})`, status: 503 });
    first.end();

    const second = request.child(genAiSpanName("chat", "claude-sonnet-4-5"), genAiRequestAttributes("chat", { model: "claude-sonnet-4-5" }, genAiNamesOf("anthropic")));
    const upstreamHeader = second.traceparent();
    second.setAttributes(genAiResponseAttributes({
      id: "msg_1", model: "claude-sonnet-4-5-20250929",
      choices: [{ finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 7 },
    }));
    second.end();
    second.end(); // a second end is ignored, not a second span

    request.setAttributes({ ...genAiResponseAttributes({ model: "claude-sonnet-4-5-20250929", usage: { prompt_tokens: 12, completion_tokens: 7 } }), "liaison.attempts": 2 });
    request.end();
    await tracing.shutdown();

    const spans = collector.spans;
    expect(spans).toHaveLength(3);
    const req = byName(spans, "chat smart");
    const a1 = byName(spans, "chat gpt-4o");
    const a2 = byName(spans, "chat claude-sonnet-4-5");

    // One trace, the client's; the structure client → request → attempts.
    for (const s of spans) expect(s.traceId).toBe(CLIENT_TRACE);
    expect(req.parentSpanId).toBe(CLIENT_SPAN);
    expect(a1.parentSpanId).toBe(req.spanId);
    expect(a2.parentSpanId).toBe(req.spanId);
    expect(req.kind).toBe(SPAN_KIND.SERVER);
    expect(a1.kind).toBe(SPAN_KIND.CLIENT);
    expect(a2.kind).toBe(SPAN_KIND.CLIENT);

    // The upstream sees the attempt span as its parent, sampled.
    expect(parseTraceparent(upstreamHeader)).toEqual({ traceId: CLIENT_TRACE, spanId: a2.spanId, flags: 1 });

    expect(req.resource["service.name"]).toBe("liaison-test");
    expect(req.scope).toBe("liaison");
    expect(req.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "smart",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.stop_sequences": ["END"],
      "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 7,
      "liaison.attempts": 2,
    });
    // Unset optional fields are left out, not sent empty; n = 1 is not recorded.
    expect(req.attributes).not.toHaveProperty("gen_ai.request.seed");
    expect(req.attributes).not.toHaveProperty("gen_ai.request.choice.count");
    expect(req.attributes).not.toHaveProperty("gen_ai.provider.name");

    expect(a1.attributes).toMatchObject({
      "gen_ai.provider.name": "openai", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
      "error.type": "upstream_unavailable", "http.response.status_code": 503,
    });
    expect(a1.status.code).toBe(STATUS_CODE.ERROR);
    expect(a1.status.message).toContain("upstream said 503");
    expect(a1.events).toEqual([{ name: "exception", attributes: { "exception.type": "upstream_unavailable", "exception.message": a1.status.message } }]);
    expect(JSON.stringify(collector.requests)).not.toContain(SECRET);

    expect(a2.attributes).toMatchObject({
      "gen_ai.provider.name": "anthropic", "gen_ai.system": "anthropic",
      "gen_ai.response.id": "msg_1", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
      "gen_ai.response.finish_reasons": ["stop"], "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 7,
    });
    expect(a2.status.code).toBe(STATUS_CODE.UNSET);
    expect(a2.attributes).not.toHaveProperty("error.type");
    expect(req.status.code).toBe(STATUS_CODE.UNSET);

    // Exported as OTLP/JSON with the configured headers.
    expect(collector.requests[0]!.headers["content-type"]).toMatch(/^application\/json/);
    expect(collector.requests[0]!.headers["x-collector-key"]).toBe("k1");
  });

  it("starts a new trace without (or with an invalid) client traceparent", async () => {
    tracing = await createTracing(config({ endpoint: collector.tracesUrl }));
    const fresh = tracing.startRequest("chat a", {});
    const invalid = tracing.startRequest("chat b", {}, `00-${"0".repeat(32)}-${CLIENT_SPAN}-01`);
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(invalid.traceId).not.toBe(fresh.traceId);
    const header = fresh.traceparent();
    fresh.end();
    invalid.end();
    await tracing.shutdown();

    const a = byName(collector.spans, "chat a");
    const b = byName(collector.spans, "chat b");
    expect(a.parentSpanId).toBe("");
    expect(b.parentSpanId).toBe("");
    expect(a.traceId).toBe(fresh.traceId);
    expect(b.traceId).toBe(invalid.traceId);
    expect(header).toBe(`00-${a.traceId}-${a.spanId}-01`);
  });

  it("follows a client's not-sampled flag: nothing exported, trace id and flag still propagated", async () => {
    tracing = await createTracing(config());
    const unsampled = tracing.startRequest("chat unsampled", {}, `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00`);
    const attempt = unsampled.child("chat up", {});
    const header = parseTraceparent(attempt.traceparent());
    expect(unsampled.traceId).toBe(CLIENT_TRACE);
    expect(header).toMatchObject({ traceId: CLIENT_TRACE, flags: 0 });
    attempt.end();
    unsampled.end();
    tracing.startRequest("chat sampled", {}).end();
    await tracing.shutdown();

    expect(collector.spans.map((s) => s.name)).toEqual(["chat sampled"]);
  });

  it("samples new traces by ratio (0: none exported, trace ids still given)", async () => {
    tracing = await createTracing(config({ sample_ratio: 0 }));
    const span = tracing.startRequest("chat x", {});
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.traceparent()).toMatch(/-00$/);
    span.end();
    // A client's sampled flag still wins over the ratio.
    tracing.startRequest("chat client-sampled", {}, `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`).end();
    await tracing.shutdown();
    expect(collector.spans.map((s) => s.name)).toEqual(["chat client-sampled"]);
  });

  it("warns (once per interval) when the collector refuses spans", async () => {
    const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    tracing = await createTracing(config(), { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) });
    collector.failWith(400);
    tracing.startRequest("chat a", {}).end();
    await until(() => collector.refused >= 1);
    tracing.startRequest("chat b", {}).end();
    await until(() => collector.refused >= 2);
    await tracing.shutdown(); // resolves: a collector that is down must not fail the gateway's shutdown
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toBe("trace export failed");
    expect(warnings[0]!.obj).toMatchObject({ url: collector.tracesUrl, spans_dropped: 1 });
  });

  it("shutdown is idempotent and flushes spans ended just before it", async () => {
    tracing = await createTracing(config({ batch: { scheduled_delay_ms: 60_000 } }));
    tracing.startRequest("chat late", {}).end();
    await Promise.all([tracing.shutdown(), tracing.shutdown()]);
    expect(collector.spans.map((s) => s.name)).toEqual(["chat late"]);
  });
});
