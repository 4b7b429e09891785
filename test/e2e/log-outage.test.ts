/**
 * The request log through a PostgreSQL outage far longer than the old
 * retries lasted: the real CLI reaches the database through a TCP proxy
 * that is cut for 8 s (only this gateway loses it). Every request keeps
 * succeeding, /ready says 503 until the rows can be written again, and then
 * every row is in the table: held in memory, or, with a small queue, in the
 * spool on disk.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { request } from "undici";
import { describe, it } from "vitest";
import { startCli } from "../helpers/cli-server.js";
import { pgQueryAt } from "../helpers/pg.js";
import { startTcpProxy } from "../helpers/tcp-proxy.js";
import { PG_URL, pgAdmin } from "../store/pg-test-db.js";

const OUTAGE_MS = 8_000;

async function readyStatus(url: string): Promise<number> {
  const res = await request(`${url}/ready`);
  await res.body.dump();
  return res.statusCode;
}

async function spoolBytesMetric(url: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  return Number(/^liaison_log_spool_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
}

describe.concurrent("PostgreSQL cut off for 8 s", () => {
  for (const variant of [
    { name: "rows wait in memory", queueSize: 10_000 },
    { name: "rows past a 5-row queue wait in the spool", queueSize: 5 },
  ]) {
    // Concurrent tests must use their own context's expect.
    it(`serves every request and writes every row afterwards: ${variant.name}`, async ({ expect }) => {
      const db = `liaison_outage_${randomBytes(4).toString("hex")}`;
      await pgAdmin(`create database ${db}`);
      const target = new URL(PG_URL);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const direct = PG_URL.replace(/\/[^/]*$/, `/${db}`);
      const viaProxy = direct.replace(`${target.host}/`, `127.0.0.1:${proxy.port}/`);
      const gw = await startCli({
        storage: { url: viaProxy },
        logging: { level: "error", flush_interval_ms: 20, queue_size: variant.queueSize, spool_dir: "spool" },
      }).catch(async (err: unknown) => {
        await proxy.close();
        await pgAdmin(`drop database if exists ${db} with (force)`);
        throw err;
      });
      const spoolDir = join(gw.dir, "spool");
      const spoolFiles = (): string[] => (existsSync(spoolDir) ? readdirSync(spoolDir) : []);
      try {
        const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
        let sent = 0;
        const ask = async (): Promise<string> => {
          sent += 1;
          return client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "outage" }] }).then(() => "ok", (err: Error) => err.message);
        };
        const count = async (): Promise<number> => Number((await pgQueryAt<{ n: string }>(direct, "select count(*)::text as n from request_logs")).rows[0]!.n);

        for (let i = 0; i < 5; i++) expect(await ask()).toBe("ok");
        await expect.poll(count).toBe(5);
        expect(proxy.open).toBeGreaterThan(0);

        proxy.cut();
        const until = Date.now() + OUTAGE_MS;
        const answers: string[] = [];
        let sawNotReady = false;
        let sawSpool = false;
        while (Date.now() < until) {
          answers.push(...(await Promise.all(Array.from({ length: 5 }, ask))));
          sawNotReady ||= (await readyStatus(gw.url)) === 503;
          sawSpool ||= spoolFiles().length > 0 && (await spoolBytesMetric(gw.url)) > 0;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(answers.filter((a) => a !== "ok")).toEqual([]);
        expect(answers.length).toBeGreaterThan(100);
        expect(sawNotReady).toBe(true);
        expect(sawSpool).toBe(variant.queueSize < answers.length);

        proxy.restore();
        await expect.poll(count, { timeout: 10_000, interval: 200 }).toBe(sent);
        await expect.poll(() => readyStatus(gw.url), { timeout: 5_000 }).toBe(200);
        expect(await spoolBytesMetric(gw.url)).toBe(0);
        await expect.poll(spoolFiles).toEqual([]);
        const metrics = await (await request(`${gw.url}/metrics`)).body.text();
        expect(metrics).not.toMatch(/^liaison_log_rows_dropped_total\{/m);
        expect(await gw.stop()).toBe(0);
        expect(await count()).toBe(sent);
      } finally {
        await gw.dispose();
        await proxy.close();
        await pgAdmin(`drop database if exists ${db} with (force)`);
      }
    });
  }
});
