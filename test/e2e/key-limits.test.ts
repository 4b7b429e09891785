/**
 * Issue 5 through real servers: a key's limits, model globs, budget and the
 * x-ratelimit-* headers; and two gateway processes on one Redis and one
 * PostgreSQL, where a key's rpm and budget hold across both (the total
 * admitted equals the limit, not twice it).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import OpenAI, { APIError } from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { pgQueryAt } from "../helpers/pg.js";
import { PG_URL, pgAdmin } from "../store/pg-test-db.js";

const ADMIN = "sk-limits-admin";
const PREFIX = `liaison-keys-${randomBytes(4).toString("hex")}:`;
const DB = `liaison_keys_${randomBytes(4).toString("hex")}`;
const DB_URL = PG_URL.replace(/\/[^/]*$/, `/${DB}`);
let fake: FakeServer;
const gws: CliServer[] = [];

async function createKey(gw: CliServer, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await request(`${gw.url}/admin/keys`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.statusCode).toBe(201);
  return (await res.body.json()) as { id: string; key: string };
}
const clientFor = (gw: CliServer, key: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
const ask = (c: OpenAI, model = "up/gpt-4o", content = "hello") => c.chat.completions.create({ model, messages: [{ role: "user", content }] }).withResponse();
const outcome = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof APIError ? `${e.status}:${(e.error as { code?: string } | undefined)?.code ?? ""}` : "other"));

beforeAll(async () => {
  await pgAdmin(`create database ${DB}`);
  fake = await startOpenAIFake();
  const config = {
    admin_key: ADMIN,
    storage: { url: DB_URL },
    redis: { url: "redis://127.0.0.1:6379", prefix: PREFIX },
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { up: { type: "openai", base_url: fake.url } },
  };
  gws.push(await startCli(config));
  gws.push(await startCli(config)); // the second instance runs the (already applied) migrations again: a no-op
});

afterAll(async () => {
  await Promise.all(gws.map((g) => g.dispose()));
  await fake?.close();
  const redis = new Redis("redis://127.0.0.1:6379");
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await pgAdmin(`drop database if exists ${DB} with (force)`);
});

describe("one key", () => {
  it("allowed models are globs: others get 403 before anything is sent", async () => {
    const [a] = gws as [CliServer];
    const { key } = await createKey(a, { name: "globbed", models: ["up/gpt-4o*"] });
    expect((await ask(clientFor(a, key), "up/gpt-4o-mini")).data.choices).toHaveLength(1);
    const before = fake.requests.length;
    expect(await outcome(ask(clientFor(a, key), "up/gpt-4.1"))).toMatch(/^403/);
    expect(fake.requests.length).toBe(before);
  });

  it("answers carry x-ratelimit-* and a refusal is a 429 with retry-after", async () => {
    const [a] = gws as [CliServer];
    const { key } = await createKey(a, { name: "tiny", rpm: 2 });
    const c = clientFor(a, key);
    const { response } = await ask(c);
    expect(response.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    await ask(c);
    const err = await ask(c).then(() => undefined, (e: unknown) => e as APIError);
    expect(err?.status).toBe(429);
    expect(Number(err?.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err?.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
  });

  it("tpm reserves the counted prompt plus max_tokens before the call", async () => {
    const [a] = gws as [CliServer];
    const { key } = await createKey(a, { name: "tokens", tpm: 40 });
    const c = clientFor(a, key);
    const before = fake.requests.length;
    const refused = await c.chat.completions.create({ model: "up/gpt-4o", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }).then(() => undefined, (e: unknown) => e as APIError);
    expect(refused?.status).toBe(429);
    expect(refused?.headers?.get("x-ratelimit-limit-tokens")).toBe("40");
    expect(fake.requests.length).toBe(before);
    const ok = await c.chat.completions.create({ model: "up/gpt-4o", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    expect(ok.choices).toHaveLength(1);
  });

  it("parallel requests beyond max_parallel are refused", async () => {
    const [a] = gws as [CliServer];
    const { key } = await createKey(a, { name: "narrow", max_parallel: 2 });
    fake.setFault({ kind: "slow_first_byte", delayMs: 400, times: 2 });
    const c = clientFor(a, key);
    const results = await Promise.all([outcome(ask(c)), outcome(ask(c)), new Promise((r) => setTimeout(r, 100)).then(() => outcome(ask(c)))]);
    expect(results.filter((r) => r === "ok")).toHaveLength(2);
    expect(results.filter((r) => r.startsWith("429"))).toHaveLength(1);
  });
});

describe("two instances, one Redis, one PostgreSQL", () => {
  it("a key's rpm holds across both: exactly the limit is admitted", async () => {
    const [a, b] = gws as [CliServer, CliServer];
    const { key } = await createKey(a, { name: "shared-rpm", rpm: 7 });
    // The key was created on A; B finds it in the shared database.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(ask(clientFor(i % 2 ? a : b, key), "up/gpt-4o", `r${i}`))));
    expect(results.filter((r) => r === "ok")).toHaveLength(7);
    expect(results.filter((r) => r.startsWith("429"))).toHaveLength(13);
  });

  it("a key's budget holds across both: once spent, both refuse with insufficient_quota", async () => {
    const [a, b] = gws as [CliServer, CliServer];
    const { id, key } = await createKey(a, { name: "shared-budget", budget_usd: 0.0003, budget_period: "daily" });
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) seen.push(await outcome(ask(clientFor(i % 2 ? a : b, key), "up/gpt-4o", "spend some money on this request please")));
    const ok = seen.filter((r) => r === "ok").length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(12);
    expect(seen.slice(-2).every((r) => r === "429:insufficient_quota")).toBe(true);
    // What was admitted never spent more than the budget plus the one request that crossed it.
    await expect.poll(async () => Number((await pgQueryAt<{ s: string }>(DB_URL, `select coalesce(sum(cost_usd), 0)::text as s from request_logs where key_id = '${id}' and status = 200`)).rows[0]!.s)).toBeGreaterThan(0);
    const spent = Number((await pgQueryAt<{ s: string }>(DB_URL, `select coalesce(sum(cost_usd), 0)::text as s from request_logs where key_id = '${id}' and status = 200`)).rows[0]!.s);
    const perRequest = spent / ok;
    expect(spent).toBeLessThanOrEqual(0.0003 + perRequest + 1e-12);
  });
});
