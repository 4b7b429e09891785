/**
 * The library's text calls and its introspection (DESIGN.md §7, "Library"):
 * generateText, streamText, status, metrics — through the same engine
 * calls as chat, so they are logged, limited and priced like any request.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { createGateway, GatewayError, type Gateway } from "../../src/index.js";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";

const opened: Gateway[] = [];
let fake: FakeServer | undefined;
afterAll(async () => {
  await Promise.allSettled(opened.map((g) => g.close())); // some tests closed theirs already
  await fake?.close();
});

function gateway(config: Parameters<typeof createGateway>[0]): Gateway {
  const g = createGateway({ storage: { url: "memory:" }, logging: { level: "silent" }, ...config });
  opened.push(g);
  return g;
}

describe("generateText", () => {
  it("answers with the text, token usage, who answered, whether it was cached and how long it took", async () => {
    const g = gateway({ providers: { demo: { type: "mock" } } });
    const res = await g.generateText({ prompt: "say this back", model: "demo/echo", system: "you repeat words" });
    expect(res).toEqual({
      content: "say this back",
      // The mock counts words: the system message's 3 and the prompt's 3.
      usage: { promptTokens: 6, completionTokens: 3, totalTokens: 9 },
      model: "echo",
      provider: "demo",
      cached: false,
      latency: expect.any(Number),
    });
    expect(res.latency).toBeGreaterThan(0);
  });

  it("without a model: the first model under models:, else mock/echo", async () => {
    const configured = gateway({
      providers: { demo: { type: "mock", text: "from the first model" } },
      models: { first: { targets: [{ provider: "demo", model: "fixed" }] }, second: { targets: [{ provider: "demo", model: "echo" }] } },
    });
    expect(await configured.generateText({ prompt: "hi" })).toMatchObject({ content: "from the first model", provider: "demo", model: "fixed" });
    const bare = gateway({});
    expect(await bare.generateText({ prompt: "echo me" })).toMatchObject({ content: "echo me", provider: "mock", model: "echo" });
  });

  it("sends system, temperature and maxTokens upstream as a chat request", async () => {
    fake = await startOpenAIFake();
    const g = gateway({ logging: { requests: false, level: "silent" }, providers: { up: { type: "openai", base_url: fake.url } } });
    const res = await g.generateText({ prompt: "over http", model: "up/gpt-4o", system: "be brief", temperature: 0.2, maxTokens: 50 });
    expect(res.content).toBe("echo: over http");
    expect(fake.requests.at(-1)!.body).toMatchObject({
      model: "gpt-4o", temperature: 0.2, max_tokens: 50,
      messages: [{ role: "system", content: "be brief" }, { role: "user", content: "over http" }],
    });
    expect(res.usage.totalTokens).toBe(res.usage.promptTokens + res.usage.completionTokens);
  });

  it("is a request like any other: logged with its cost, served from the cache when it can be", async () => {
    const g = gateway({
      providers: { demo: { type: "mock" } },
      cache: { enabled: true },
      prices: { "demo/echo": { input: 1, output: 2 } },
    });
    expect((await g.generateText({ prompt: "cache me", model: "demo/echo" })).cached).toBe(false);
    expect((await g.generateText({ prompt: "cache me", model: "demo/echo" })).cached).toBe(true);
    const engine = await g.engine();
    await g.close();
    const rows = (await engine.store!.queryLogs({})).data;
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.endpoint, r.model, r.cache])).toEqual(expect.arrayContaining([
      ["/v1/chat/completions", "demo/echo", "miss"], ["/v1/chat/completions", "demo/echo", "hit"],
    ]));
    expect(rows.find((r) => r.cache === "miss")!.cost_usd).toBeCloseTo((2 * 1 + 2 * 2) / 1e6, 12);
  });

  it("refuses a request without a string prompt, and a bad model, with GatewayErrors", async () => {
    const g = gateway({});
    await expect(g.generateText({} as never)).rejects.toMatchObject({ code: "invalid_request", status: 400, param: "prompt" });
    await expect(g.generateText({ prompt: "x", model: "nobody" })).rejects.toBeInstanceOf(GatewayError);
  });
});

describe("streamText", () => {
  it("yields the answer's text in pieces", async () => {
    const g = gateway({ providers: { demo: { type: "mock", chunk_size: 4 } } });
    const pieces: string[] = [];
    for await (const piece of g.streamText({ prompt: "a reply that comes in several pieces", model: "demo/echo" })) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.every((p) => typeof p === "string" && p !== "")).toBe(true);
    expect(pieces.join("")).toBe("a reply that comes in several pieces");
  });

  it("breaking out of the loop cancels the call (recorded as client_closed)", async () => {
    const g = gateway({ providers: { slow: { type: "mock", chunk_size: 1, chunk_delay_ms: 20 } } });
    let n = 0;
    for await (const _ of g.streamText({ prompt: "a long reply that streams slowly", model: "slow/echo" })) if (++n === 3) break;
    const engine = await g.engine();
    await g.close();
    expect((await engine.store!.queryLogs({})).data[0]).toMatchObject({ stream: true, error_code: "client_closed" });
  });
});

describe("status and metrics", () => {
  it("status: providers, each configured target's circuit, the cache, limits' shared state, uptime", async () => {
    const g = gateway({
      providers: { demo: { type: "mock" } },
      models: { smart: { targets: [{ provider: "demo", model: "echo" }, { provider: "demo", model: "fixed" }] } },
      cache: { enabled: true },
    });
    await g.generateText({ prompt: "status", model: "smart" });
    await g.generateText({ prompt: "status", model: "smart" });
    const status = await g.status();
    expect(status.providers).toEqual(expect.arrayContaining([{ name: "demo", type: "mock" }, { name: "mock", type: "mock" }]));
    expect(status.circuits.map((c) => [c.target, c.state])).toEqual([["demo/echo", "closed"], ["demo/fixed", "closed"]]);
    expect(status.circuits[0]).toMatchObject({ provider: "demo", model: "echo", error_rate: 0, consecutive_failures: 0, retry_at: null });
    expect(status.cache).toEqual({ enabled: true, backends: { exact: "memory" }, hits: 1, semantic_hits: 0, misses: 1, bypassed: 0 });
    expect(status.limits).toEqual({ shared_state: "memory", degraded: { limits: false, budgets: false }, in_flight: 0 });
    expect(status.uptime_s).toBeGreaterThanOrEqual(0);
    expect(Object.keys(status).sort()).toEqual(["cache", "circuits", "limits", "providers", "uptime_s"]);
  });

  it("status without the cache says so", async () => {
    expect((await gateway({}).status()).cache).toEqual({ enabled: false, backends: {}, hits: 0, semantic_hits: 0, misses: 0, bypassed: 0 });
  });

  it("metrics: the Prometheus text GET /metrics serves, counting the library's calls", async () => {
    const g = gateway({ providers: { demo: { type: "mock" } } });
    await g.generateText({ prompt: "count me", model: "demo/echo" });
    expect(await g.metrics()).toContain("# TYPE liaison_requests_total counter");
    // Counted off the request path, a moment after the answer.
    await vi.waitFor(async () => expect(await g.metrics()).toMatch(/liaison_requests_total\{[^}]*provider="demo"[^}]*\} 1/));
  });
});
