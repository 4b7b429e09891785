/**
 * Request-log queries at scale: `node --import tsx bench/logs-query.bench.ts [--rows 1000000]`.
 *
 * Loads synthetic rows (30 days; a realistic skew of models, providers, keys
 * and statuses) into SQLite (temp file) and PostgreSQL (a throwaway schema,
 * dropped at the end) through the stores' own insertLogs, then times the
 * queries GET /admin/logs, /admin/logs/{id} and /admin/usage make: the median
 * of 5 runs each, after one warm-up. PostgreSQL: LIAISON_BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/test; --no-pg skips it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { PostgresStore } from "../src/store/postgres/postgres-store.js";
import type { LiaisonDatabase } from "../src/store/sql/log-table.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { LogRow, Store } from "../src/store/types.js";

const { values: args } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, "no-pg": { type: "boolean", default: false } } });
const ROWS = Number(args.rows);
const PG_URL = process.env.LIAISON_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const LOAD_BATCH = 20_000;
const RUNS = 5;
const DAY = 86_400_000;
const NOW = Date.now();

// --- synthetic data: weighted picks from a seeded PRNG, so every run loads the same rows ---

function prng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(42);
function weighted<T>(items: [T, number][]): () => T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  return () => {
    let r = rand() * total;
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1]![0];
  };
}

const TARGETS: [string, string, string, number][] = [ // model, provider, upstream model, USD per 1k tokens
  ["gpt-4o-mini", "openai", "gpt-4o-mini", 0.0003], ["gpt-4o", "openai", "gpt-4o", 0.006], ["smart", "anthropic", "claude-sonnet-4", 0.009],
  ["fast", "groq", "llama-3.1-8b", 0.0001], ["claude-haiku", "anthropic", "claude-haiku-4", 0.002], ["embed", "openai", "text-embedding-3-small", 0.00002],
  ["gemini-flash", "google", "gemini-2.0-flash", 0.0002], ["local", "ollama", "qwen2.5:7b", 0], ["bedrock-sonnet", "bedrock", "anthropic.claude-sonnet", 0.009],
  ["mistral-large", "mistral", "mistral-large-latest", 0.004],
];
const pickTarget = weighted(TARGETS.map((t, i) => [t, [30, 12, 15, 10, 8, 10, 6, 4, 3, 2][i]!] as [typeof t, number]));
const KEYS = Array.from({ length: 200 }, (_, i) => `key_${String(i).padStart(4, "0")}`);
// A few heavy keys and a long tail, like real traffic.
const pickKey = weighted<string | null>([...KEYS.map((k, i) => [k, 1000 / (i + 1)] as [string, number]), [null, 50]]);
const pickStatus = weighted<[number, string | null]>([[[200, null], 9400], [[429, "rate_limited"], 250], [[500, "upstream_error"], 120], [[400, "invalid_request"], 100], [[404, "model_not_found"], 30], [[504, "timeout"], 60], [[401, "invalid_api_key"], 40]]);

let seq = 0;
function syntheticRow(): LogRow {
  const [model, provider, upstream, price] = pickTarget();
  const [status, error_code] = pickStatus();
  const ok = status === 200;
  const prompt = ok ? Math.floor(50 + rand() * 2000) : null;
  const completion = ok ? Math.floor(rand() * 800) : null;
  const created = NOW - Math.floor(rand() * 30 * DAY);
  const key = pickKey();
  return {
    // Ids as the gateway makes them: random, so insert order is not id order.
    id: `req_${randomBytes(10).toString("hex")}${(seq++).toString(36)}`,
    created_at: new Date(created).toISOString(),
    endpoint: model === "embed" ? "/v1/embeddings" : "/v1/chat/completions",
    model, provider, upstream_model: upstream, status, error_code,
    latency_ms: Math.round((80 + rand() * rand() * 8000) * 10) / 10,
    ttft_ms: ok && rand() < 0.4 ? Math.round(rand() * 900) : null,
    attempts: rand() < 0.05 ? 2 : 1,
    prompt_tokens: prompt, completion_tokens: completion,
    cost_usd: ok ? ((prompt! + completion!) / 1000) * price : null,
    cache: rand() < 0.1 ? "hit" : "miss",
    cache_saved_usd: null,
    key_id: key,
    team_id: key === null ? null : `team_${Number(key.slice(4)) % 12}`,
    trace_id: null,
    stream: rand() < 0.4,
    metadata: rand() < 0.2 ? { app: "search", run: Math.floor(rand() * 100) } : null,
    request_body: null, response_body: null, attempt_log: null,
  };
}

// --- timing ---

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: plans, caches, prepared statements
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const dbOf = (store: Store) => (store as unknown as { db: Kysely<LiaisonDatabase> }).db;

async function load(store: Store): Promise<number> {
  const t0 = performance.now();
  for (let done = 0; done < ROWS; done += LOAD_BATCH) {
    const n = Math.min(LOAD_BATCH, ROWS - done);
    await store.insertLogs(Array.from({ length: n }, syntheticRow));
    if ((done / LOAD_BATCH) % 10 === 0) process.stderr.write(`  ${store.kind}: ${done + n} rows\r`);
  }
  process.stderr.write("\n");
  return performance.now() - t0;
}

async function queries(store: Store): Promise<[string, number, number][]> {
  const db = dbOf(store);
  const out: [string, number, number][] = [];
  const add = async (name: string, fn: () => Promise<number>) => {
    let rows = 0;
    const ms = await time(async () => { rows = await fn(); });
    out.push([name, ms, rows]);
  };
  const page = async (q: Parameters<Store["queryLogs"]>[0]) => (await store.queryLogs(q)).data.length;
  const newest = (await store.queryLogs({ limit: 1 })).data[0]!;

  await add("first page, newest (50)", () => page({ limit: 50 }));
  await add("model = gpt-4o (50)", () => page({ model: "gpt-4o", limit: 50 }));
  await add("rare model = mistral-large (50)", () => page({ model: "mistral-large", limit: 50 }));
  await add("key_id = key_0150 (50)", () => page({ key_id: "key_0150", limit: 50 }));
  await add("status = 404 (50)", () => page({ status: 404, limit: 50 }));
  const since = new Date(NOW - 11 * DAY).toISOString();
  const until = new Date(NOW - 10 * DAY).toISOString();
  await add("since/until 1-day window, 10 d ago (50)", () => page({ since, until, limit: 50 }));
  await add("window + model + status 500 (50)", () => page({ since, until, model: "gpt-4o-mini", status: 500, limit: 50 }));

  // Page 100: walk 99 pages once (untimed), then time the 100th.
  let cursor: string | undefined;
  for (let i = 0; i < 99; i++) cursor = (await store.queryLogs({ limit: 50, ...(cursor ? { cursor } : {}) })).next_cursor ?? undefined;
  await add("page 100 via cursor (50)", () => page({ limit: 50, cursor: cursor! }));
  await add("getLog by id", async () => ((await store.getLog(newest.id)) ? 1 : 0));

  const weekAgo = new Date(NOW - 7 * DAY);
  // pg binds a Date as timestamptz; SQLite compares ISO text.
  const bound = store.kind === "postgres" ? weekAgo : weekAgo.toISOString();
  await add("usage: model, count, sum(cost) last 7 d", async () =>
    (await sql`select model, count(*) as n, sum(cost_usd) as cost from request_logs where created_at >= ${bound} group by model`.execute(db)).rows.length);
  await add("store.queryUsage(group_by model, 7 d)", async () => (await store.queryUsage({ group_by: "model", since: weekAgo.toISOString() })).length);
  // Retention, once (it is destructive): what RetentionJob's first run on
  // this database would do with rows_days 23 and bodies_days 7.
  const retention = store.retention();
  // The longest event-loop stall is what the request path would feel.
  const once = async (name: string, fn: () => Promise<number>) => {
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    const n = await fn();
    const ms = performance.now() - t0;
    loop.disable();
    out.push([`${name} (once; max loop stall ${(loop.max / 1e6).toFixed(0)} ms)`, ms, n]);
  };
  await once("retention: delete > 23 d", () => retention.deleteOlderThan({ before: new Date(NOW - 23 * DAY).toISOString() }));
  await once("retention: strip walk 7..23 d", () =>
    retention.stripBodiesOlderThan({ before: new Date(NOW - 7 * DAY).toISOString(), since: new Date(NOW - 23 * DAY).toISOString() }));
  return out;
}

function report(engine: string, loadMs: number, rows: [string, number, number][]): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${engine}: ${ROWS.toLocaleString("en")} rows loaded in ${(loadMs / 1000).toFixed(1)} s (${Math.round(ROWS / (loadMs / 1000)).toLocaleString("en")} rows/s)`);
  console.log(`${"query".padEnd(w)}  ${"median ms".padStart(10)}  ${"rows".padStart(7)}`);
  console.log(`${"-".repeat(w)}  ${"-".repeat(10)}  ${"-".repeat(7)}`);
  for (const [name, ms, n] of rows) console.log(`${name.padEnd(w)}  ${ms.toFixed(2).padStart(10)}  ${String(n).padStart(7)}`);
}

async function bench(engine: string, open: () => Promise<Store>, cleanup: () => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await store.migrate();
    seq = 0;
    const loadMs = await load(store);
    // What autovacuum / a periodic ANALYZE would have done on a live database.
    await sql`analyze`.execute(dbOf(store));
    report(engine, loadMs, await queries(store));
  } finally {
    await store.close();
    await cleanup();
  }
}

// The SQLite writer thread is unref'd (it must not hold a gateway open): hold
// the process here, or a top-level await on it would end the run.
const keepAlive = setInterval(() => {}, 1 << 30);

const dir = mkdtempSync(join(tmpdir(), "liaison-logs-bench-"));
await bench("SQLite", async () => new SqliteStore({ filename: join(dir, "bench.db") }), async () => rmSync(dir, { recursive: true, force: true }));

if (!args["no-pg"]) {
  const schema = `liaison_bench_${randomBytes(4).toString("hex")}`;
  await bench("PostgreSQL", async () => new PostgresStore({ connectionString: PG_URL, schema, queryTimeoutMs: 600_000 }), async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  });
}
clearInterval(keepAlive);
