/**
 * /metrics after real traffic through the real server (issue 6): requests by
 * endpoint/model/provider/status, durations, time to first token, tokens by
 * direction, cost, upstream errors by kind, circuit state, in-flight, the log
 * writer and Node process metrics — with Prometheus naming conventions.
 */
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let fake: FakeServer;
let gw: CliServer;
let text: string;
const usage = { prompt: 0, completion: 0 };

beforeAll(async () => {
  fake = await startOpenAIFake();
  gw = await startCli({
    logging: { level: "error", flush_interval_ms: 20 },
    routing: { retry: { max_attempts: 1 } },
    providers: { up: { type: "openai", base_url: fake.url } },
    models: { chat: { targets: [{ provider: "up", model: "gpt-4o-mini" }] } },
  });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  for (const content of ["one", "two words"]) {
    const res = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content }] });
    usage.prompt += res.usage!.prompt_tokens;
    usage.completion += res.usage!.completion_tokens;
  }
  const stream = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "stream" }], stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    if (chunk.usage) {
      usage.prompt += chunk.usage.prompt_tokens;
      usage.completion += chunk.usage.completion_tokens;
    }
  }
  fake.setFault({ kind: "status", status: 503, times: 1 });
  await expect(client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "fail" }] })).rejects.toMatchObject({ status: 503 });
  await expect(client.chat.completions.create({ model: "chat", messages: [] })).rejects.toMatchObject({ status: 400 });
  // Log rows are written in batches: wait until the writer has reported them.
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    text = await scrape();
    if (/liaison_log_rows_written_total 5\b/.test(text)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
});
afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
});

async function scrape(): Promise<string> {
  const res = await request(`${gw.url}/metrics`);
  expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  return res.body.text();
}
function value(series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no series ${series} in:\n${text.split("\n").filter((l) => l.startsWith(series.split("{")[0]!)).join("\n")}`);
  return Number(line.slice(series.length + 1));
}

describe("/metrics after traffic", () => {
  it("counts requests by endpoint, model, provider and status, and times them", () => {
    expect(value('liaison_requests_total{endpoint="/v1/chat/completions",model="chat",provider="up",status="200"}')).toBe(3);
    expect(value('liaison_requests_total{endpoint="/v1/chat/completions",model="chat",provider="up",status="503"}')).toBe(1);
    // A refused request never resolved a route: no model or provider label.
    expect(value('liaison_requests_total{endpoint="/v1/chat/completions",model="",provider="",status="400"}')).toBe(1);
    expect(value('liaison_request_duration_seconds_count{endpoint="/v1/chat/completions"}')).toBe(5);
    expect(value('liaison_time_to_first_token_seconds_count{endpoint="/v1/chat/completions"}')).toBe(1);
    expect(value("liaison_requests_in_flight")).toBe(0);
  });

  it("counts tokens by direction and cost from the price catalogue", () => {
    expect(value('liaison_tokens_total{direction="prompt",provider="up",model="gpt-4o-mini"}')).toBe(usage.prompt);
    expect(value('liaison_tokens_total{direction="completion",provider="up",model="gpt-4o-mini"}')).toBe(usage.completion);
    // gpt-4o-mini: $0.15 / $0.60 per million tokens.
    expect(value('liaison_cost_usd_total{provider="up",model="gpt-4o-mini"}')).toBeCloseTo((usage.prompt * 0.15 + usage.completion * 0.6) / 1e6, 12);
  });

  it("counts upstream errors by kind and shows circuit state and attempts", () => {
    expect(text).toMatch(/liaison_upstream_errors_total\{provider="up",code="[a-z_]+"\} 1/);
    expect(value('liaison_upstream_attempts_total{provider="up",outcome="error"}')).toBe(1);
    expect(value('liaison_upstream_attempts_total{provider="up",outcome="ok"}')).toBe(3);
    expect(text).toMatch(/liaison_circuit_state\{target="up\/gpt-4o-mini"\} 0/);
  });

  it("reports the log writer and the Node process", () => {
    expect(value("liaison_log_queue_depth")).toBe(0);
    expect(text).toMatch(/^# TYPE liaison_log_rows_dropped_total counter$/m);
    expect(text).not.toMatch(/^liaison_log_rows_dropped_total\{[^}]*\} [1-9]/m); // nothing dropped
    expect(value("liaison_process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(text).toMatch(/^liaison_nodejs_eventloop_lag_seconds /m);
  });

  it("follows Prometheus naming: counters end in _total, durations are in seconds", () => {
    const types = [...text.matchAll(/^# TYPE (liaison_\S+) (\w+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    expect(types.length).toBeGreaterThan(20);
    for (const t of types) {
      if (t.type === "counter") expect(t.name).toMatch(/_total$/);
      if (/duration|latency|time_to/.test(t.name)) expect(t.name).toMatch(/_seconds$/);
    }
  });
});
