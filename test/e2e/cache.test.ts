/**
 * The response cache through the real server (issue 7): exact hits and
 * misses, stream replay, the client's controls, TTL, team isolation, errors
 * never cached, semantic hits (and no hit on a different question), two
 * instances sharing Redis, an unreachable Redis degrading to a miss, and the
 * log row and metrics that record what hits saved.
 */
import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import { Redis } from "ioredis";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "admin-secret-for-cache-tests";
const PREFIX = `liaison-cache-e2e-${randomUUID().slice(0, 8)}:`;
let fake: FakeServer;
let gw: CliServer;
let left: CliServer;
let right: CliServer;
let noRedis: CliServer;

const cacheConfig = (extra: Record<string, unknown> = {}) => ({
  enabled: true,
  semantic: { enabled: true, embedding_model: "mock/embed-lexical", threshold: 0.8 },
  ...extra,
});
const upstream = () => ({ up: { type: "openai", base_url: fake.url } });
const models = { chat: { targets: [{ provider: "up", model: "gpt-4o-mini" }] } };

beforeAll(async () => {
  fake = await startOpenAIFake();
  const logging = { level: "error", flush_interval_ms: 20 };
  const routing = { retry: { max_attempts: 1 } };
  [gw, left, right, noRedis] = await Promise.all([
    startCli({ admin_key: ADMIN, logging, routing, providers: upstream(), models, cache: cacheConfig() }),
    // Two instances, one Redis: what one caches the other serves.
    startCli({ logging, providers: upstream(), models, redis: { url: "redis://127.0.0.1:6379", prefix: PREFIX }, cache: cacheConfig() }),
    startCli({ logging, providers: upstream(), models, redis: { url: "redis://127.0.0.1:6379", prefix: PREFIX }, cache: cacheConfig() }),
    // Nothing listens on port 1: every Redis command fails.
    startCli({ logging, providers: upstream(), models, redis: { url: "redis://127.0.0.1:1", prefix: PREFIX }, cache: cacheConfig({ backend: "redis" }) }),
  ]);
});
afterAll(async () => {
  await Promise.all([gw?.dispose(), left?.dispose(), right?.dispose(), noRedis?.dispose()]);
  await fake?.close();
  const redis = new Redis("redis://127.0.0.1:6379");
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const upstreamCalls = () => fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
const client = (server: CliServer, apiKey = ADMIN, headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0, defaultHeaders: headers });
const unique = (text: string) => `${text} [${randomUUID().slice(0, 8)}]`;

async function ask(server: CliServer, content: string, options: { key?: string; headers?: Record<string, string>; body?: Record<string, unknown> } = {}) {
  const { data, response } = await client(server, options.key, options.headers).chat.completions.create({
    model: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }], ...options.body,
  } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
  return { data, cache: response.headers.get("x-liaison-cache"), id: response.headers.get("x-request-id")!, headers: response.headers };
}

/** The raw SSE `data:` payloads of a streamed request, and its x-liaison-cache header. */
async function askStream(server: CliServer, content: string, includeUsage = true): Promise<{ events: Record<string, unknown>[]; cache: string; text: string }> {
  const res = await request(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({
      model: "chat", stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content }],
    }),
  });
  expect(res.statusCode).toBe(200);
  const body = await res.body.text();
  expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
  const events = body.split("\n\n").filter((l) => l.startsWith("data: {")).map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
  const text = events.map((e) => (e.choices as { delta?: { content?: string } }[])[0]?.delta?.content ?? "").join("");
  return { events, cache: res.headers["x-liaison-cache"] as string, text };
}

async function logRow(server: CliServer, id: string): Promise<Record<string, unknown>> {
  let row: Record<string, unknown> | undefined;
  await expect.poll(async () => {
    const res = await request(`${server.url}/admin/logs/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    row = res.statusCode === 200 ? (await res.body.json()) as Record<string, unknown> : (await res.body.dump(), undefined);
    return row !== undefined;
  }).toBe(true);
  return row!;
}

describe("exact cache", () => {
  it("answers a repeated request from the cache: no upstream call, cost 0, the saving in the log row", async () => {
    const q = unique("What is 2+2?");
    const before = upstreamCalls();
    const first = await ask(gw, q);
    const second = await ask(gw, q);
    expect([first.cache, second.cache]).toEqual(["miss", "hit"]);
    expect(upstreamCalls()).toBe(before + 1);
    expect(second.data.choices[0]!.message).toEqual(first.data.choices[0]!.message);
    expect(second.data.usage).toEqual(first.data.usage);
    expect(second.data.id).not.toBe(first.data.id); // every response keeps its own id
    expect(second.headers.get("x-liaison-attempts")).toBe("0");
    expect(second.headers.get("x-liaison-cost-usd")).toBe("0");
    const [missRow, hitRow] = [await logRow(gw, first.id), await logRow(gw, second.id)];
    expect(missRow).toMatchObject({ cache: "miss", attempts: 1 });
    expect(missRow.cost_usd).toBeGreaterThan(0);
    expect(hitRow).toMatchObject({ cache: "hit", attempts: 0, cost_usd: 0, cache_saved_usd: missRow.cost_usd, provider: "up", upstream_model: "gpt-4o-mini" });
  });

  it("parameters that change the answer change the key; user and key order do not", async () => {
    const q = unique("Name a colour.");
    await ask(gw, q, { body: { temperature: 0 } });
    expect((await ask(gw, q, { body: { temperature: 0, user: "someone-else" } })).cache).toBe("hit");
    expect((await ask(gw, q, { body: { temperature: 1 } })).cache).toBe("miss");
    expect((await ask(gw, q, { body: { temperature: 0, max_tokens: 5 } })).cache).toBe("miss");
  });

  it("honours x-liaison-cache bypass|refresh and Cache-Control no-store|no-cache", async () => {
    const q = unique("Tell me a fact.");
    await ask(gw, q);
    let calls = upstreamCalls();
    expect((await ask(gw, q, { headers: { "x-liaison-cache": "bypass" } })).cache).toBe("bypass");
    expect((await ask(gw, q, { headers: { "cache-control": "no-store" } })).cache).toBe("bypass");
    expect((await ask(gw, q, { headers: { "x-liaison-cache": "refresh" } })).cache).toBe("miss");
    expect((await ask(gw, q, { headers: { "cache-control": "no-cache" } })).cache).toBe("miss");
    expect(upstreamCalls()).toBe(calls + 4);
    calls = upstreamCalls();
    expect((await ask(gw, q)).cache).toBe("hit");
    // bypass neither reads nor writes: a new question asked with it is not cached afterwards.
    const fresh = unique("Another fact.");
    await ask(gw, fresh, { headers: { "x-liaison-cache": "bypass" } });
    expect((await ask(gw, fresh)).cache).toBe("miss");
    expect(upstreamCalls()).toBe(calls + 2);
  });

  it("rejects an unknown cache control with a 400 that names the header", async () => {
    const res = await request(`${gw.url}/v1/chat/completions`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}`, "x-liaison-cache": "sometimes" },
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { error: { message: string } }).error.message).toMatch(/x-liaison-cache/);
  });

  it("expires entries after their TTL (x-liaison-cache-ttl)", async () => {
    const q = unique("Short-lived?");
    await ask(gw, q, { headers: { "x-liaison-cache-ttl": "1" } });
    expect((await ask(gw, q)).cache).toBe("hit");
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await ask(gw, q)).cache).toBe("miss");
  });

  it("never caches an error", async () => {
    const q = unique("Will this fail?");
    fake.setFault({ kind: "status", status: 500, times: 1 });
    await expect(ask(gw, q)).rejects.toMatchObject({ status: 502 });
    expect((await ask(gw, q)).cache).toBe("miss");
  });

  it("keeps teams apart: another team's identical request is a miss", async () => {
    const admin = async (path: string, body: unknown) => {
      const res = await request(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` }, body: JSON.stringify(body) });
      expect(res.statusCode).toBe(201);
      return (await res.body.json()) as { id: string; key: string };
    };
    const [red, blue] = [await admin("/admin/teams", { name: "red" }), await admin("/admin/teams", { name: "blue" })];
    const redKey = (await admin("/admin/keys", { name: "r", team_id: red.id })).key;
    const redKey2 = (await admin("/admin/keys", { name: "r2", team_id: red.id })).key;
    const blueKey = (await admin("/admin/keys", { name: "b", team_id: blue.id })).key;
    const q = unique("Our secret plan?");
    expect((await ask(gw, q, { key: redKey })).cache).toBe("miss");
    expect((await ask(gw, q, { key: blueKey })).cache).toBe("miss");
    expect((await ask(gw, q, { key: redKey2 })).cache).toBe("hit"); // same team, another key
    expect((await ask(gw, q)).cache).toBe("miss"); // the admin key is in no team
  });
});

describe("streams", () => {
  it("replays a cached stream: same chunks, same text, usage included", async () => {
    const q = unique("Stream me a sentence about the sea.");
    const first = await askStream(gw, q);
    const second = await askStream(gw, q);
    expect([first.cache, second.cache]).toEqual(["miss", "hit"]);
    expect(second.text).toBe(first.text);
    expect(second.text.length).toBeGreaterThan(0);
    const strip = (e: Record<string, unknown>) => ({ ...e, id: undefined, created: undefined });
    expect(second.events.map(strip)).toEqual(first.events.map(strip));
    expect(second.events.at(-1)!.usage).toEqual(first.events.at(-1)!.usage);
    // The replay keeps one id across its chunks, as a real stream does.
    expect(new Set(second.events.map((e) => e.id)).size).toBe(1);
  });

  it("serves a non-stream request from a cached stream, and a stream from a cached answer", async () => {
    const q1 = unique("First streamed, then not.");
    const streamed = await askStream(gw, q1, false);
    const unary = await ask(gw, q1);
    expect(unary.cache).toBe("hit");
    expect(unary.data.choices[0]!.message.content).toBe(streamed.text);
    expect(streamed.events.some((e) => e.usage)).toBe(false); // not asked for

    const q2 = unique("First not, then streamed.");
    const answer = await ask(gw, q2);
    const replay = await askStream(gw, q2);
    expect(replay.cache).toBe("hit");
    expect(replay.text).toBe(answer.data.choices[0]!.message.content);
    expect(replay.events.at(-1)!.usage).toEqual(answer.data.usage);
  });
});

describe("semantic cache", () => {
  it("serves a paraphrase of a cached question, not a different question that shares its words", async () => {
    const before = upstreamCalls();
    const original = await ask(gw, "How tall is Mount Everest?");
    const paraphrase = await ask(gw, "What is the height of Mount Everest?");
    const different = await ask(gw, "How tall is Mount Kilimanjaro?");
    expect([original.cache, paraphrase.cache, different.cache]).toEqual(["miss", "semantic-hit", "miss"]);
    expect(paraphrase.data.choices[0]!.message.content).toBe(original.data.choices[0]!.message.content);
    expect(upstreamCalls()).toBe(before + 2);
    expect(await logRow(gw, paraphrase.id)).toMatchObject({ cache: "semantic-hit", cost_usd: 0 });
  });

  it("never matches across system prompts", async () => {
    const q = "Who wrote Pride and Prejudice?";
    await ask(gw, q);
    const { data, response } = await client(gw).chat.completions.create({
      model: "chat", messages: [{ role: "system", content: "Answer in French." }, { role: "user", content: "Who is the author of Pride and Prejudice?" }],
    }).withResponse();
    expect(data.choices.length).toBe(1);
    expect(response.headers.get("x-liaison-cache")).toBe("miss");
  });
});

describe("shared through Redis", () => {
  it("one instance serves what the other cached, exact and semantic", async () => {
    const q = unique("Shared question?");
    expect((await ask(left, q)).cache).toBe("miss");
    expect((await ask(right, q)).cache).toBe("hit");
    expect((await ask(left, "How many legs does a spider have?")).cache).toBe("miss");
    expect((await ask(right, "How many legs do spiders have?")).cache).toBe("semantic-hit");
  });

  it("an unreachable Redis is a miss, never an error", async () => {
    const q = unique("Redis is down?");
    const first = await ask(noRedis, q);
    const second = await ask(noRedis, q);
    expect([first.cache, second.cache]).toEqual(["miss", "miss"]);
    expect(second.data.choices[0]!.message.content).toBeTruthy();
    const metrics = await (await request(`${noRedis.url}/metrics`)).body.text();
    expect(metrics).toMatch(/liaison_cache_errors_total\{site="[a-z-]+"\} [1-9]/);
  });
});

describe("metrics", () => {
  it("count hits, misses and the saved cost", async () => {
    const q = unique("Metrics?");
    await ask(gw, q);
    await ask(gw, q);
    const text = await (await request(`${gw.url}/metrics`)).body.text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    expect(value(/liaison_cache_requests_total\{endpoint="\/v1\/chat\/completions",result="hit"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/liaison_cache_requests_total\{endpoint="\/v1\/chat\/completions",result="miss"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/liaison_cache_saved_usd_total\{provider="up",model="gpt-4o-mini"\} ([\d.e-]+)/)).toBeGreaterThan(0);
  });
});

describe("Anthropic-format requests", () => {
  it("are cached too, and a cached answer replays as Anthropic's event stream", async () => {
    const body = (stream: boolean) => JSON.stringify({
      model: "chat", max_tokens: 64, stream, system: "Be brief.", messages: [{ role: "user", content: unique("Anthropic caching?") }],
    });
    const question = body(false);
    const send = (b: string) => request(`${gw.url}/v1/messages`, {
      method: "POST", headers: { "content-type": "application/json", "x-api-key": ADMIN, "anthropic-version": "2023-06-01" }, body: b,
    });
    const first = await send(question);
    expect(first.statusCode).toBe(200);
    const answer = (await first.body.json()) as { content: { type: string; text: string }[] };
    expect(first.headers["x-liaison-cache"]).toBe("miss");

    const replay = await send(question.replace('"stream":false', '"stream":true'));
    expect(replay.headers["x-liaison-cache"]).toBe("hit");
    const events = (await replay.body.text()).split("\n\n").filter(Boolean).map((block) => /^event: (\S+)/.exec(block)?.[1]);
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
    expect(events).toContain("content_block_delta");
    const again = await send(question);
    expect(again.headers["x-liaison-cache"]).toBe("hit");
    expect(((await again.body.json()) as typeof answer).content[0]!.text).toBe(answer.content[0]!.text);
  });
});
