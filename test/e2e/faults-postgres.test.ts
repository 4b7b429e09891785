/**
 * PostgreSQL lost and back in the middle of steady load (DESIGN.md §7,
 * issue 21): the real CLI reaches its database through a TCP proxy that
 * turns into a black hole for 6 s — connections accepted and never answered,
 * like a network partition, the harder case for a client than a reset —
 * and only this gateway loses it (the machine's PostgreSQL stays up for the
 * other tests). Requests with the admin key and with a virtual key go on
 * without a single failure, /ready says 503 while rows wait, rows past the
 * small memory queue wait in the spool, and afterwards every answered
 * request has its row: counted by id against the requests sent.
 *
 * A virtual key is checked against the database once per 15 s (the key
 * cache); this key was looked up just before the outage. A key first seen
 * during an outage, or whose cache entry runs out during one, is refused with
 * 503 key_store_unavailable until the database answers (docs/security.md).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { expect, it } from "vitest";
import { startCli } from "../helpers/cli-server.js";
import { pgQueryAt } from "../helpers/pg.js";
import { holdFor, proxiedDatabase, startLoad } from "./faults-load.js";

const ADMIN = "admin-key-faults-pg-0123456789";
const OUTAGE_MS = 6_000;

const status = async (url: string): Promise<number> => {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
};

it("PostgreSQL partitioned away for 6 s under steady load: no request fails, no log row is lost", async () => {
  const { direct, viaProxy, proxy, drop } = await proxiedDatabase("liaison_faults");
  const gw = await startCli({
    admin_key: ADMIN,
    storage: { url: viaProxy },
    logging: { level: "error", flush_interval_ms: 20, queue_size: 200, spool_dir: "spool" },
  }).catch(async (err: unknown) => {
    await drop();
    throw err;
  });
  const spoolDir = join(gw.dir, "spool");
  try {
    const created = await request(`${gw.url}/admin/keys`, {
      method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: JSON.stringify({ name: "faults member", role: "member" }),
    });
    expect(created.statusCode).toBe(201);
    const { key } = (await created.body.json()) as { key: string };

    const load = startLoad({ urls: [gw.url, gw.url], keys: [ADMIN, key], concurrency: 2 });
    const noFailure = () => expect(load.failures().slice(0, 3)).toEqual([]);
    await holdFor(1_500, noFailure);
    const beforeCut = load.answers.length;

    proxy.cut("hang");
    let sawSpool = false;
    await holdFor(OUTAGE_MS, () => {
      noFailure();
      sawSpool ||= existsSync(spoolDir) && readdirSync(spoolDir).length > 0;
    });
    const sawNotReady = (await status(`${gw.url}/ready`)) === 503;
    const duringOutage = load.answers.length - beforeCut;
    proxy.restore();
    await holdFor(2_000, noFailure);
    const answers = await load.stop();

    expect(load.failures()).toEqual([]);
    expect(duringOutage).toBeGreaterThan(200);
    expect(sawNotReady).toBe(true);
    expect(sawSpool).toBe(true);

    // Every answered request has its row, once the rows that waited are written.
    const ids = new Set(answers.map((a) => a.id));
    expect(ids.has(null)).toBe(false);
    const rowIds = async () => new Set((await pgQueryAt<{ id: string }>(direct, "select id from request_logs")).rows.map((r) => r.id));
    const missing = async () => {
      const rows = await rowIds();
      return [...ids].filter((id) => !rows.has(id!)).length;
    };
    await expect.poll(missing, { timeout: 30_000, interval: 500 }).toBe(0);
    console.log(`faults-postgres: ${answers.length} requests (${duringOutage} during the ${OUTAGE_MS / 1000} s outage), ${answers.length - ids.size} without an id, rows lost: 0`);
    await expect.poll(() => status(`${gw.url}/ready`), { timeout: 10_000 }).toBe(200);
    const metrics = await (await request(`${gw.url}/metrics`)).body.text();
    expect(metrics).not.toMatch(/^liaison_log_rows_dropped_total\{/m);
    await expect.poll(() => (existsSync(spoolDir) ? readdirSync(spoolDir) : []), { timeout: 10_000 }).toEqual([]);
  } finally {
    await gw.dispose();
    await drop();
  }
}, 90_000);
