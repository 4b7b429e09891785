/**
 * Redis lost and back in the middle of steady load (DESIGN.md §7, issue 21):
 * two gateway processes share limits, circuit state and the response cache
 * through Redis, each reaching it through a TCP proxy of its own; one proxy
 * resets every connection (Redis down), the other swallows them (a
 * partition: commands time out). Only these gateways lose Redis.
 *
 * While it is away: no request fails because of it (the cache misses,
 * circuits and limits are counted on each instance); a key's rpm falls back
 * as documented (docs/keys-and-budgets.md) — each instance admits at most
 * `redis.degraded_share` of it, counting on from the last shared count it
 * saw — so the two together stay within the limit; refusals are 429s naming
 * the share. Afterwards the instances count in Redis again, and every
 * request, admitted or refused, has its log row.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { request } from "undici";
import { expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { pgQueryAt } from "../helpers/pg.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { PG_URL, pgAdmin } from "../store/pg-test-db.js";
import { holdFor, startLoad } from "./faults-load.js";

const ADMIN = "admin-key-faults-redis-0123456789";
const RPM = 40;
const SHARE = 0.5;

async function ask(gw: CliServer, key: string): Promise<{ status: number; id: string; limit: string | undefined; body: string }> {
  const res = await request(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-liaison-cache": "bypass" },
    body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "limited" }] }),
  });
  const body = await res.body.text();
  return { status: res.statusCode, id: String(res.headers["x-request-id"]), limit: res.headers["x-ratelimit-limit-requests"] as string | undefined, body };
}

const degraded = async (gw: CliServer): Promise<number> => {
  const text = await (await request(`${gw.url}/metrics`)).body.text();
  return Number(/^liaison_shared_state_degraded\{component="limits"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
};

it("Redis lost by two instances under steady load: no request fails, each admits its share of a key's rpm, every row is kept", async () => {
  const prefix = `liaison-faults-${randomBytes(4).toString("hex")}:`;
  const db = `liaison_faults_${randomBytes(4).toString("hex")}`;
  await pgAdmin(`create database ${db}`);
  const storage = PG_URL.replace(/\/[^/]*$/, `/${db}`);
  const proxies: TcpProxy[] = [];
  const gws: CliServer[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const proxy = await startTcpProxy({ host: "127.0.0.1", port: 6379 });
      proxies.push(proxy);
      gws.push(await startCli({
        admin_key: ADMIN,
        storage: { url: storage },
        redis: { url: `redis://127.0.0.1:${proxy.port}`, prefix, degraded_share: SHARE },
        cache: { enabled: true },
        logging: { level: "error", flush_interval_ms: 20 },
      }));
    }
    const [a, b] = gws as [CliServer, CliServer];
    const created = await request(`${a.url}/admin/keys`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "limited", role: "member", rpm: RPM }),
    });
    expect(created.statusCode).toBe(201);
    const { key } = (await created.body.json()) as { key: string };
    // Every limited request below falls in one minute, so the counts are exact.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));

    // Unlimited traffic (the admin key, cache on) all along, on both instances.
    const load = startLoad({ urls: [a.url, b.url], keys: ADMIN, concurrency: 2 });
    const noFailure = () => expect(load.failures().slice(0, 3)).toEqual([]);
    const limited: Awaited<ReturnType<typeof ask>>[] = [];

    // Through Redis: 10 of the 40, alternately; A last sees a count of 9, B of 10.
    for (let i = 0; i < 5; i++) limited.push(await ask(a, key), await ask(b, key));
    expect(limited.map((r) => r.status)).toEqual(Array(10).fill(200));
    await holdFor(500, noFailure);

    proxies[0]!.cut("reset");
    proxies[1]!.cut("hang");
    const cutAt = Date.now();
    const outage: Record<"a" | "b", Awaited<ReturnType<typeof ask>>[]> = { a: [], b: [] };
    for (let i = 0; i < 30; i++) outage.a.push(await ask(a, key));
    for (let i = 0; i < 30; i++) outage.b.push(await ask(b, key));
    await holdFor(2_000, noFailure);
    expect(await degraded(a)).toBe(1);
    expect(await degraded(b)).toBe(1);

    for (const [name, answers] of Object.entries(outage)) {
      expect(answers.filter((r) => r.status !== 200 && r.status !== 429), name).toEqual([]);
      // The instance names the limit it enforces: its share.
      for (const r of answers.filter((x) => x.status === 429)) expect(r.limit, name).toBe(String(Math.floor(RPM * SHARE)));
    }
    const admittedA = outage.a.filter((r) => r.status === 200).length;
    const admittedB = outage.b.filter((r) => r.status === 200).length;
    // Counting on from the last shared counts: 20 − 9 and 20 − 10; from zero it would be 30 and 30.
    expect(admittedA).toBe(Math.floor(RPM * SHARE) - 9);
    expect(admittedB).toBe(Math.floor(RPM * SHARE) - 10);
    expect(10 + admittedA + admittedB).toBeLessThanOrEqual(RPM);

    const restoredAt = Date.now();
    for (const p of proxies) p.restore();
    // A gate tries Redis again when it is next asked (at most once a second): the key's next requests.
    const after: Awaited<ReturnType<typeof ask>>[] = [];
    await expect.poll(async () => {
      after.push(await ask(a, key), await ask(b, key));
      return (await degraded(a)) + (await degraded(b));
    }, { timeout: 15_000, interval: 500 }).toBe(0);
    expect(after.filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
    await holdFor(1_000, noFailure);
    const answers = await load.stop();
    expect(load.failures()).toEqual([]);
    const during = answers.filter((x) => x.startedAt >= cutAt && x.endedAt <= restoredAt).length;
    expect(during).toBeGreaterThan(50);

    // Every request, admitted or refused, has its row.
    const ids = new Set([...answers.map((x) => x.id), ...limited.map((r) => r.id), ...outage.a.map((r) => r.id), ...outage.b.map((r) => r.id), ...after.map((r) => r.id)]);
    expect(ids.has(null)).toBe(false);
    const missing = async () => {
      const rows = new Set((await pgQueryAt<{ id: string }>(storage, "select id from request_logs")).rows.map((r) => r.id));
      return [...ids].filter((id) => !rows.has(id!)).length;
    };
    await expect.poll(missing, { timeout: 20_000, interval: 500 }).toBe(0);
    console.log(`faults-redis: ${answers.length} unlimited requests without a failure (${during} during the outage); during the outage A admitted ${admittedA} and B ${admittedB} of rpm ${RPM} (share ${SHARE}); ${ids.size} rows, none lost`);
  } finally {
    await Promise.all(gws.map((g) => g.dispose()));
    await Promise.all(proxies.map((p) => p.close()));
    const redis = new Redis("redis://127.0.0.1:6379");
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await pgAdmin(`drop database if exists ${db} with (force)`);
  }
}, 120_000);
