/**
 * Routing and resilience through the real server: retries to another target,
 * backoff honouring Retry-After, no retry on client errors, fallback chains
 * (plain, context window, content policy), stream failover before the first
 * byte, circuit breakers, upstream limits — each attempt in the log row.
 */
import OpenAI, { APIError } from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const fakes: Record<string, FakeServer> = {};
let gw: CliServer;
let client: OpenAI;

beforeAll(async () => {
  for (const name of ["a", "b", "c", "d"]) fakes[name] = await startOpenAIFake({ reply: `from ${name}` });
  const up = (name: string) => ({ type: "openai", base_url: fakes[name]!.url });
  gw = await startCli({
    logging: { level: "error", flush_interval_ms: 20, bodies: false },
    providers: { a: up("a"), b: up("b"), c: up("c"), d: up("d") },
    routing: {
      retry: { max_attempts: 3, base_delay_ms: 10, max_delay_ms: 50, max_retry_after_ms: 1500 },
      circuit_breaker: { consecutive_failures: 3, cooldown_ms: 600, min_requests: 100 },
    },
    models: {
      pair: { strategy: "priority", targets: [{ provider: "a", model: "gpt-4o" }, { provider: "b", model: "gpt-4o" }] },
      solo: { targets: [{ provider: "c", model: "gpt-4o" }] },
      doomed: { targets: [{ provider: "a", model: "o3-mini" }] },
      chain: { targets: [{ provider: "d", model: "gpt-4o" }], fallbacks: ["solo"] },
      small: { targets: [{ provider: "d", model: "gpt-4o-mini" }], context_window_fallbacks: ["big"], content_policy_fallbacks: ["lenient"] },
      big: { targets: [{ provider: "b", model: "gpt-4.1" }] },
      lenient: { targets: [{ provider: "c", model: "gpt-4.1-mini" }] },
      limited: { strategy: "priority", targets: [{ provider: "a", model: "gpt-4o-mini", rpm: 3 }, { provider: "b", model: "gpt-4o-mini" }] },
      fragile: { strategy: "priority", targets: [{ provider: "d", model: "gpt-3.5-turbo" }, { provider: "c", model: "gpt-3.5-turbo" }] },
      long: { strategy: "priority", targets: [{ provider: "a", model: "gpt-3.5-turbo-instruct" }, { provider: "b", model: "gpt-3.5-turbo-instruct" }], fallbacks: ["middle", "end"] },
      middle: { targets: [{ provider: "c", model: "gpt-3.5-turbo-instruct" }] },
      end: { targets: [{ provider: "d", model: "gpt-3.5-turbo-instruct" }] },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

const ask = (model: string, content = "hi") => client.chat.completions.create({ model, messages: [{ role: "user", content }] }).withResponse();
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e: unknown) => e as APIError);

async function logOf(id: string): Promise<{ attempts: number; attempt_log: { provider: string; status: number; error: string | null; next?: string }[] }> {
  let row: unknown;
  await expect.poll(async () => {
    const res = await request(`${gw.url}/admin/logs/${id}`);
    row = res.statusCode === 200 ? await res.body.json() : (await res.body.dump(), undefined);
    return row !== undefined;
  }).toBe(true);
  return row as never;
}

describe("retries", () => {
  it("a 5xx moves to the next target at once; the log row keeps both attempts", async () => {
    fakes.a!.setFault({ kind: "status", status: 500, times: 1 });
    const { data, response } = await ask("pair");
    expect(data.choices[0]!.message.content).toBe("from b");
    expect(response.headers.get("x-liaison-attempts")).toBe("2");
    expect(response.headers.get("x-liaison-provider")).toBe("b");
    const row = await logOf(response.headers.get("x-request-id")!);
    expect(row.attempts).toBe(2);
    expect(row.attempt_log).toMatchObject([{ provider: "a", status: 502, next: "retry" }, { provider: "b", status: 200, error: null }]);
  });

  it("a client error (400/401/403/404/422) is never retried", async () => {
    const seenByB = fakes.b!.requests.length;
    fakes.a!.setFault({ kind: "status", status: 400, times: 1 });
    const err = await errorOf(ask("pair"));
    expect(err.status).toBe(400);
    expect(fakes.b!.requests.length).toBe(seenByB);
  });

  it("honours Retry-After on the only target, then succeeds", async () => {
    fakes.c!.setFault({ kind: "rate_limit", retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    const { data, response } = await ask("solo");
    expect(data.choices[0]!.message.content).toBe("from c");
    expect(response.headers.get("x-liaison-attempts")).toBe("2");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("does not sit out a Retry-After beyond the cap: the 429 goes back to the client", async () => {
    fakes.c!.setFault({ kind: "rate_limit", retryAfterSeconds: 30, times: 1 });
    const started = Date.now();
    const err = await errorOf(ask("solo"));
    expect(err.status).toBe(429);
    expect(err.headers?.get("retry-after")).toBe("30");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("gives up after max_attempts and reports the last error", async () => {
    fakes.a!.setFault({ kind: "status", status: 503, times: 5 });
    const err = await errorOf(ask("doomed"));
    expect(err.status).toBe(503);
    expect(err.headers?.get("x-liaison-attempts")).toBe("3");
    expect(err.headers?.get("x-liaison-provider")).toBe("a");
    fakes.a!.setFault(null);
  });
});

describe("fallbacks", () => {
  it("every target and every fallback model is tried, even past max_attempts attempts in all", async () => {
    for (const f of [fakes.a!, fakes.b!, fakes.c!]) f.setFault({ kind: "status", status: 503, times: 1 });
    const { data, response } = await ask("long");
    expect(data.choices[0]!.message.content).toBe("from d");
    expect(response.headers.get("x-liaison-attempts")).toBe("4");
    const log = await logOf(response.headers.get("x-request-id")!);
    expect(log.attempt_log.map((a) => a.provider)).toEqual(["a", "b", "c", "d"]);
    for (const f of [fakes.a!, fakes.b!, fakes.c!]) f.setFault(null);
  });

  it("a model whose targets all fail falls back to the next model", async () => {
    fakes.d!.setFault({ kind: "status", status: 500, times: 3 });
    const { data, response } = await ask("chain");
    expect(data.choices[0]!.message.content).toBe("from c");
    expect(response.headers.get("x-liaison-provider")).toBe("c");
    fakes.d!.setFault(null);
  });

  it("context-window-exceeded goes to the larger-window chain", async () => {
    fakes.d!.setFault({ kind: "status", status: 400, body: { error: { message: "This model's maximum context length is 128000 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } }, times: 1 });
    const { data, response } = await ask("small", "a very long prompt");
    expect(data.choices[0]!.message.content).toBe("from b");
    expect(response.headers.get("x-liaison-model")).toBe("gpt-4.1");
    const row = await logOf(response.headers.get("x-request-id")!);
    expect(row.attempt_log[0]).toMatchObject({ status: 400, next: "context_window_fallback" });
  });

  it("a content-policy refusal goes to the content-policy chain", async () => {
    fakes.d!.setFault({ kind: "status", status: 400, body: { error: { message: "Your request was rejected as a result of our safety system.", type: "invalid_request_error", param: null, code: "content_policy_violation" } }, times: 1 });
    const { data } = await ask("small");
    expect(data.choices[0]!.message.content).toBe("from c");
  });

  it("a stream fails over before its first byte", async () => {
    fakes.a!.setFault({ kind: "status", status: 503, times: 1 });
    let text = "";
    const { data: stream, response } = await client.chat.completions.create({ model: "pair", stream: true, messages: [{ role: "user", content: "stream" }] }).withResponse();
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe("from b");
    expect(response.headers.get("x-liaison-attempts")).toBe("2");
  });
});

describe("circuit breakers and upstream limits", () => {
  it("open after consecutive failures, skip the target, probe after the cooldown, close on success", async () => {
    fakes.d!.setFault({ kind: "status", status: 500, times: 3 });
    for (let i = 0; i < 3; i++) expect((await ask("fragile")).data.choices[0]!.message.content).toBe("from c");
    const providers = async () => (await (await request(`${gw.url}/admin/providers`)).body.json()) as { targets: { target: string; circuit: string }[] };
    expect((await providers()).targets.find((t) => t.target === "d/gpt-3.5-turbo")?.circuit).toBe("open");

    const before = fakes.d!.requests.length;
    const { response } = await ask("fragile");
    expect(response.headers.get("x-liaison-attempts")).toBe("1"); // d skipped, not tried
    expect(fakes.d!.requests.length).toBe(before);
    const metrics = await (await request(`${gw.url}/metrics`)).body.text();
    expect(metrics).toMatch(/liaison_circuit_state\{target="d\/gpt-3.5-turbo"\} 2/);

    await new Promise((r) => setTimeout(r, 700));
    const probe = await ask("fragile");
    expect(probe.data.choices[0]!.message.content).toBe("from d"); // the half-open probe succeeded
    expect((await providers()).targets.find((t) => t.target === "d/gpt-3.5-turbo")?.circuit).toBe("closed");
  });

  it("a target at its rpm is skipped instead of earning a 429", async () => {
    const served: string[] = [];
    for (let i = 0; i < 6; i++) served.push((await ask("limited")).data.choices[0]!.message.content!);
    expect(served.filter((s) => s === "from a")).toHaveLength(3);
    expect(served.filter((s) => s === "from b")).toHaveLength(3);
  });
});
