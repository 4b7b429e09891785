/**
 * Traces through the real server (issue 6): the client's traceparent is
 * continued, each upstream attempt is a child span whose context the upstream
 * receives, GenAI attributes describe request and answer, spans reach an OTLP
 * collector, and the log row keeps the trace id. Without tracing configured
 * the client's trace context is still passed through.
 */
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { SPAN_KIND, STATUS_CODE, startOtlpCollector, type CollectedSpan, type OtlpCollector } from "../fakes/telemetry/otlp-collector.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE}-${CLIENT_SPAN}-01`;

let collector: OtlpCollector;
let a: FakeServer;
let b: FakeServer;
let traced: CliServer;
let plain: CliServer;

beforeAll(async () => {
  collector = await startOtlpCollector();
  a = await startOpenAIFake({ reply: "from a" });
  b = await startOpenAIFake({ reply: "from b" });
  const providers = { a: { type: "openai", base_url: a.url }, b: { type: "openai", base_url: b.url } };
  const models = { pair: { strategy: "priority", targets: [{ provider: "a", model: "gpt-4o" }, { provider: "b", model: "gpt-4o-mini" }] } };
  const logging = { level: "error", flush_interval_ms: 20 };
  [traced, plain] = await Promise.all([
    startCli({
      logging, providers, models,
      routing: { retry: { max_attempts: 2, base_delay_ms: 1 } },
      telemetry: { tracing: { endpoint: collector.url, service_name: "liaison-e2e", batch: { scheduled_delay_ms: 50 } } },
    }),
    startCli({ logging, providers, models }),
  ]);
});
afterAll(async () => {
  await Promise.all([traced?.dispose(), plain?.dispose()]);
  await Promise.all([a?.close(), b?.close(), collector?.close()]);
});

async function logRow(gw: CliServer, id: string): Promise<{ trace_id: string | null }> {
  let row: { trace_id: string | null } | undefined;
  await expect.poll(async () => {
    const res = await request(`${gw.url}/admin/logs/${id}`);
    row = res.statusCode === 200 ? (await res.body.json()) as typeof row : (await res.body.dump(), undefined);
    return row !== undefined;
  }).toBe(true);
  return row!;
}

const traceparentOf = (fake: FakeServer) => fake.requests.at(-1)!.headers.traceparent as string | undefined;
const spansOf = async (traceId: string, count: number): Promise<CollectedSpan[]> => {
  await expect.poll(() => collector.spans.filter((s) => s.traceId === traceId).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(count);
  return collector.spans.filter((s) => s.traceId === traceId);
};

describe("tracing on (OTLP/HTTP export)", () => {
  it("continues the client's trace: request span, one child per attempt, upstream sees its attempt as parent", async () => {
    a.setFault({ kind: "status", status: 500, times: 1 });
    const client = new OpenAI({ baseURL: `${traced.url}/v1`, apiKey: "x", maxRetries: 0, defaultHeaders: { traceparent: TRACEPARENT } });
    const { data, response } = await client.chat.completions.create({
      model: "pair", messages: [{ role: "user", content: "hi" }], max_tokens: 50, temperature: 0.2,
    }).withResponse();
    expect(data.choices[0]!.message.content).toBe("from b");

    const spans = await spansOf(TRACE, 3);
    const root = spans.find((s) => s.kind === SPAN_KIND.SERVER)!;
    const attempts = spans.filter((s) => s.kind === SPAN_KIND.CLIENT).sort((x, y) => Number(x.attributes["liaison.attempt"]) - Number(y.attributes["liaison.attempt"]));
    expect(root.parentSpanId).toBe(CLIENT_SPAN);
    expect(root.name).toBe("chat pair");
    expect(root.resource["service.name"]).toBe("liaison-e2e");
    expect(root.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "pair",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.response.model": "gpt-4o-mini",
      "gen_ai.response.finish_reasons": ["stop"],
      "http.response.status_code": 200,
      "liaison.attempts": 2,
      "liaison.request_id": response.headers.get("x-request-id"),
    });
    expect(root.attributes["gen_ai.usage.input_tokens"]).toBe(data.usage!.prompt_tokens);
    expect(root.attributes["gen_ai.usage.output_tokens"]).toBe(data.usage!.completion_tokens);

    expect(attempts).toHaveLength(2);
    for (const s of attempts) expect(s.parentSpanId).toBe(root.spanId);
    const [failed, ok] = attempts as [CollectedSpan, CollectedSpan];
    expect(failed.name).toBe("chat gpt-4o");
    expect(failed.status.code).toBe(STATUS_CODE.ERROR);
    expect(failed.attributes).toMatchObject({ "gen_ai.provider.name": "openai", "liaison.provider": "a", "error.type": expect.any(String) });
    expect(ok.name).toBe("chat gpt-4o-mini");
    expect(ok.status.code).not.toBe(STATUS_CODE.ERROR);
    expect(ok.attributes).toMatchObject({ "gen_ai.request.model": "gpt-4o-mini", "liaison.provider": "b", "gen_ai.usage.output_tokens": data.usage!.completion_tokens });

    // Each upstream got the W3C context of its own attempt span.
    expect(traceparentOf(a)).toBe(`00-${TRACE}-${failed.spanId}-01`);
    expect(traceparentOf(b)).toBe(`00-${TRACE}-${ok.spanId}-01`);
    expect((await logRow(traced, response.headers.get("x-request-id")!)).trace_id).toBe(TRACE);
  });

  it("starts a new trace without a traceparent; a stream's span carries the usage of its last chunk", async () => {
    const client = new OpenAI({ baseURL: `${traced.url}/v1`, apiKey: "x", maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions.create({
      model: "pair", messages: [{ role: "user", content: "stream please" }], stream: true, stream_options: { include_usage: true },
    }).withResponse();
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    const row = await logRow(traced, response.headers.get("x-request-id")!);
    expect(row.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const spans = await spansOf(row.trace_id!, 2);
    const root = spans.find((s) => s.kind === SPAN_KIND.SERVER)!;
    expect(root.parentSpanId).toBe("");
    expect(root.attributes).toMatchObject({ "liaison.stream": true, "gen_ai.usage.output_tokens": usage!.completion_tokens, "gen_ai.response.finish_reasons": ["stop"] });
    const attempt = spans.find((s) => s.kind === SPAN_KIND.CLIENT)!;
    expect(attempt.parentSpanId).toBe(root.spanId);
    expect(traceparentOf(a)).toBe(`00-${row.trace_id}-${attempt.spanId}-01`);
  });

  it("a request refused before any upstream call is still a span, marked failed", async () => {
    const res = await request(`${traced.url}/v1/chat/completions`, {
      method: "POST", headers: { "content-type": "application/json", traceparent: `00-${"ab".repeat(16)}-${CLIENT_SPAN}-01` },
      body: JSON.stringify({ model: "pair", messages: [] }),
    });
    expect(res.statusCode).toBe(400);
    await res.body.dump();
    const [span] = await spansOf("ab".repeat(16), 1);
    expect(span!.status.code).toBe(STATUS_CODE.ERROR);
    expect(span!.attributes["http.response.status_code"]).toBe(400);
  });
});

describe("tracing off", () => {
  it("passes the client's traceparent upstream unchanged and keeps its trace id in the log row", async () => {
    const res = await request(`${plain.url}/v1/chat/completions`, {
      method: "POST", headers: { "content-type": "application/json", traceparent: TRACEPARENT },
      body: JSON.stringify({ model: "pair", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(traceparentOf(a)).toBe(TRACEPARENT);
    expect((await logRow(plain, res.headers["x-request-id"] as string)).trace_id).toBe(TRACE);
  });

  it("sends no trace context and stores no trace id when the client sent none (or an invalid one)", async () => {
    for (const headers of [{}, { traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }, { traceparent: "garbage" }]) {
      const res = await request(`${plain.url}/v1/chat/completions`, {
        method: "POST", headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ model: "pair", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      expect(traceparentOf(a)).toBeUndefined();
      expect((await logRow(plain, res.headers["x-request-id"] as string)).trace_id).toBeNull();
    }
  });
});
