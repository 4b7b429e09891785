/**
 * `liaison serve --workers 2` through the real CLI: refused without Redis;
 * with it, requests on fresh connections spread over both workers, /metrics
 * counts all of them, limits are shared, a reload reaches every worker, and
 * after SIGTERM every request has its log row in the one SQLite file.
 */
import { request } from "node:http";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "sk-admin-workers-test-01";
const PREFIX = `liaison-test-workers-${process.pid}-${Date.now()}:`;

/** One request on its own connection (no keep-alive), so the cluster hands each to any worker. */
function call(url: string, path: string, body: unknown, key = ADMIN): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, {
      method: data === undefined ? "GET" : "POST", agent: false,
      headers: { authorization: `Bearer ${key}`, ...(data === undefined ? {} : { "content-type": "application/json" }), connection: "close" },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { text += d; });
      res.on("end", () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

const chat = (url: string, model: string, key?: string) =>
  call(url, "/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] }, key);

function config(models: Record<string, unknown>): Record<string, unknown> {
  return {
    admin_key: ADMIN,
    redis: { url: "redis://127.0.0.1:6379", prefix: PREFIX },
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { demo: { type: "mock" } },
    models,
  };
}

describe("--workers", () => {
  it("refuses more than one worker without Redis, saying why", async () => {
    await expect(startCli({ providers: { demo: { type: "mock" } } }, { args: ["--workers", "2"] })).rejects.toThrow(/--workers 2 needs shared state.*redis\.url/s);
  });

  describe("with Redis", () => {
    let gw: CliServer;
    beforeAll(async () => {
      gw = await startCli(config({ smart: { targets: [{ provider: "demo", model: "echo" }] } }), { args: ["--workers", "2"] });
    });
    afterAll(async () => {
      await gw?.dispose();
    });

    it("serves from both workers and /metrics sums them", async () => {
      const N = 60;
      const results = await Promise.all(Array.from({ length: N }, () => chat(gw.url, "smart")));
      expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
      const metrics = (await call(gw.url, "/metrics", undefined)).text;
      const total = [...metrics.matchAll(/^liaison_requests_total\{[^}]*model="smart"[^}]*\} (\d+)/gm)].reduce((s, m) => s + Number(m[1]), 0);
      expect(total).toBe(N);
      expect(metrics).toMatch(/^liaison_cluster_workers 2$/m);
      expect(metrics).toMatch(/^liaison_process_cpu_seconds_total/m);
    });

    it("shares limits across workers: a key's rpm holds exactly", async () => {
      const created = await call(gw.url, "/admin/keys", { name: "limited", rpm: 10 });
      expect(created.status).toBe(201);
      const { key } = JSON.parse(created.text) as { key: string };
      const results = await Promise.all(Array.from({ length: 24 }, () => chat(gw.url, "smart", key)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(10);
      expect(results.filter((r) => r.status === 429)).toHaveLength(14);
    });

    it("reloads every worker from one POST /admin/reload", async () => {
      writeFileSync(join(gw.dir, "liaison.yaml"), stringify({
        storage: { url: `sqlite://${gw.dbPath}` },
        ...config({ smart: { targets: [{ provider: "demo", model: "echo" }] }, fresh: { targets: [{ provider: "demo", model: "echo" }] } }),
      }));
      const res = await call(gw.url, "/admin/reload", {});
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ status: "reloaded", changed: ["models"], workers: 2 });
      const results = await Promise.all(Array.from({ length: 20 }, () => chat(gw.url, "fresh")));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    });

    it("drains on SIGTERM and loses no log row", async () => {
      const before = Date.now();
      const results = await Promise.all(Array.from({ length: 40 }, () => chat(gw.url, "smart")));
      const ids = results.map((r) => r.headers["x-request-id"] as string);
      expect(await gw.stop()).toBe(0);
      const db = new Database(gw.dbPath, { readonly: true });
      try {
        const found = db.prepare(`select count(*) as n from request_logs where id in (${ids.map(() => "?").join(",")})`).get(...ids) as { n: number };
        expect(found.n).toBe(40);
      } finally {
        db.close();
      }
      expect(Date.now() - before).toBeLessThan(15_000);
    });
  });
});
