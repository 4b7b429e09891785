/**
 * The request log through the real server: one row per request with the
 * /admin/logs fields, bodies when asked, nothing lost on SIGTERM, and a
 * database outage that fails no request and loses no row.
 */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { PG_URL, pgAdmin } from "../store/pg-test-db.js";
import { pgQueryAt } from "../helpers/pg.js";

const servers: CliServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.dispose()));
});

async function start(config: Record<string, unknown>): Promise<CliServer> {
  const s = await startCli(config);
  servers.push(s);
  return s;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await request(url);
  return (await res.body.json()) as T;
}

interface Row { id: string; endpoint: string; model: string | null; provider: string | null; upstream_model: string | null; status: number; error_code: string | null; latency_ms: number; ttft_ms: number | null; attempts: number; prompt_tokens: number | null; completion_tokens: number | null; stream: boolean; metadata: Record<string, unknown> | null; request_body?: unknown; response_body?: unknown }

describe("SQLite (the default)", () => {
  it("keeps one row per request with the admin fields, and bodies when logging.bodies is on", async () => {
    const gw = await start({ logging: { level: "warn", bodies: true, flush_interval_ms: 20 } });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
    const { response } = await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "log me please" }] }, { headers: { "x-liaison-metadata": '{"team":"search","run":7}' } }).withResponse();
    const plainId = response.headers.get("x-request-id")!;
    const stream = await client.chat.completions.create({ model: "mock/echo", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a streamed answer here" }] }).withResponse();
    for await (const _ of stream.data) { /* drain */ }
    const streamId = stream.response.headers.get("x-request-id")!;
    await client.embeddings.create({ model: "mock/echo", input: "vector" });
    await client.chat.completions.create({ model: "missing-model", messages: [{ role: "user", content: "x" }] }).catch(() => undefined);

    await expect.poll(async () => (await getJson<{ data: Row[] }>(`${gw.url}/admin/logs`)).data.length).toBe(4);
    const { data } = await getJson<{ data: Row[]; next_cursor: string | null }>(`${gw.url}/admin/logs`);
    const plain = data.find((r) => r.id === plainId)!;
    expect(plain).toMatchObject({ endpoint: "/v1/chat/completions", model: "mock/echo", provider: "mock", upstream_model: "echo", status: 200, error_code: null, attempts: 1, prompt_tokens: 3, completion_tokens: 3, stream: false, metadata: { team: "search", run: 7 } });
    expect(plain.latency_ms).toBeGreaterThan(0);
    expect(plain).not.toHaveProperty("request_body");
    const streamed = data.find((r) => r.id === streamId)!;
    expect(streamed).toMatchObject({ stream: true, status: 200, completion_tokens: 4 });
    expect(streamed.ttft_ms).toBeGreaterThan(0);
    expect(data.find((r) => r.status === 404)).toMatchObject({ model: "missing-model", error_code: "model_not_found", provider: null });
    expect(data.find((r) => r.endpoint === "/v1/embeddings")).toMatchObject({ status: 200, prompt_tokens: 1 });

    const full = await getJson<Row>(`${gw.url}/admin/logs/${streamId}`);
    expect(full.request_body).toMatchObject({ model: "mock/echo", stream: true });
    expect(full.response_body).toMatchObject({ choices: [{ message: { role: "assistant", content: "a streamed answer here" }, finish_reason: "stop" }] });

    const filtered = await getJson<{ data: Row[] }>(`${gw.url}/admin/logs?status=404`);
    expect(filtered.data).toHaveLength(1);
    const bad = await request(`${gw.url}/admin/logs?cursor=garbage`);
    expect(bad.statusCode).toBe(400);
    expect((await request(`${gw.url}/admin/logs/req_unknown`)).statusCode).toBe(404);
  });

  it("SIGTERM lets in-flight requests finish, flushes every row, then exits 0", async () => {
    const gw = await start({ providers: { slowmock: { type: "mock", latency_ms: 600 } }, logging: { level: "warn", flush_interval_ms: 5000 } });
    const body = JSON.stringify({ model: "slowmock/echo", messages: [{ role: "user", content: "drain me" }] });
    const inflight = Array.from({ length: 6 }, () => request(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body }));
    await new Promise((r) => setTimeout(r, 150));
    const exit = gw.stop();
    const responses = await Promise.all(inflight);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    await Promise.all(responses.map((r) => r.body.dump()));
    expect(await exit).toBe(0);
    // The flush interval (5 s) never fired: these rows were written by the shutdown flush.
    const store = await createStore(`sqlite://${gw.dbPath}`);
    try {
      const page = await store.queryLogs({ limit: 100 });
      expect(page.data.filter((r) => r.model === "slowmock/echo" && r.status === 200)).toHaveLength(6);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL", () => {
  it("keeps serving through a database outage and writes every row once it is back", async () => {
    const db = `liaison_e2e_${randomBytes(4).toString("hex")}`;
    await pgAdmin(`create database ${db}`);
    const url = PG_URL.replace(/\/[^/]*$/, `/${db}`);
    try {
      const gw = await start({ storage: { url }, logging: { level: "error", flush_interval_ms: 20 } });
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
      const ask = () => client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "pg" }] });
      for (let i = 0; i < 5; i++) await ask();
      const count = async () => Number((await pgQueryAt<{ n: string }>(url, `select count(*)::text as n from request_logs`)).rows[0]!.n);
      await expect.poll(count).toBe(5);

      // The outage: the table disappears (as far as the gateway can tell).
      await pgQueryAt(url, `alter table request_logs rename to request_logs_away`);
      const results = await Promise.all(Array.from({ length: 20 }, () => ask().then(() => "ok", () => "failed")));
      expect(results.every((r) => r === "ok")).toBe(true);
      const metrics = await (await request(`${gw.url}/metrics`)).body.text();
      await expect.poll(async () => {
        const m = /liaison_log_write_errors_total (\d+)/.exec(await (await request(`${gw.url}/metrics`)).body.text());
        return Number(m?.[1] ?? 0);
      }).toBeGreaterThan(0);
      expect(metrics).toContain("liaison_log_queue_depth");

      await pgQueryAt(url, `alter table request_logs_away rename to request_logs`);
      await expect.poll(count, { timeout: 15_000, interval: 200 }).toBe(25);
      const ready = await request(`${gw.url}/ready`);
      expect(ready.statusCode).toBe(200);
      await ready.body.dump();
      expect(await gw.stop()).toBe(0);
    } finally {
      await pgAdmin(`drop database if exists ${db} with (force)`);
    }
  });
});
