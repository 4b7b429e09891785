/**
 * GET /admin/routing through the real server: a gateway with a learned
 * model (a router trained here, as `liaison router train` does) and a
 * cascade, prompts sent with the openai client, then the share of calls
 * per target, the route-score buckets, the newest decisions with their
 * feedback, who may read it (a member may not; a manager sees their
 * team's calls), and the query's errors. Below, the store query itself
 * answers alike on the memory store, SQLite and PostgreSQL.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/types.js";
import type { RoutedModel as Routed } from "../../src/server/routes/admin-routing.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { learnedProviders, LEARNED_TARGETS, writeLearnedRouter } from "../helpers/learned-router.js";
import { EASY_PROMPT, HARD_PROMPT } from "../router/synthetic.js";
import { makeRow } from "../store/log-rows.js";
import { dropSchemas, PG_URL, uniqueSchema } from "../store/pg-test-db.js";

const ADMIN = "sk-routing-admin";
const dir = mkdtempSync(join(tmpdir(), "liaison-admin-routing-"));
let gw: CliServer;

beforeAll(async () => {
  const routerFile = writeLearnedRouter(dir);
  const targets = LEARNED_TARGETS;
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "error", flush_interval_ms: 20 },
    cache: { enabled: true },
    providers: learnedProviders("a cheap answer", "a careful answer"),
    models: {
      smart: { strategy: "learned", router: { file: routerFile, quality: 0.95 }, targets },
      careful: { strategy: "cascade", targets },
      plain: { targets: [{ provider: "cheap", model: "gpt-4o-mini" }] },
    },
  });
});
afterAll(async () => {
  await gw?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, key = ADMIN): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const routing = async (query = "", key = ADMIN): Promise<Routed[]> => {
  const r = await call("GET", `/admin/routing${query}`, undefined, key);
  expect(r.status).toBe(200);
  return r.json.models as Routed[];
};

async function ask(model: string, content: string, key = ADMIN): Promise<{ id: string; provider: string; cache: string | null }> {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model, messages: [{ role: "user", content }] }).withResponse();
  return { id: response.headers.get("x-request-id")!, provider: response.headers.get("x-liaison-provider")!, cache: response.headers.get("x-liaison-cache") };
}

/** The log writer flushes off the request path: wait until the model's rows are all there. */
async function settled(model: string, calls: number, key = ADMIN, query = ""): Promise<Routed> {
  let found: Routed | undefined;
  await expect.poll(async () => {
    found = (await routing(query, key)).find((m) => m.model === model);
    return found?.calls;
  }, { timeout: 10_000, interval: 50 }).toBe(calls);
  return found!;
}

describe("GET /admin/routing", () => {
  const sent: { id: string; provider: string; cache: string | null }[] = [];

  it("reports each routed model with its targets and quality, and nothing for others", async () => {
    const models = await routing();
    expect(models.map((m) => m.model)).toEqual(["smart", "careful"]);
    const smart = models[0]!;
    expect(smart).toMatchObject({ strategy: "learned", quality: 0.95, calls: 0, feedback: { count: 0, mean: null }, recent: [] });
    expect(smart.targets).toEqual([{ target: "cheap/gpt-4o-mini", calls: 0, share: 0 }, { target: "dear/gpt-4o", calls: 0, share: 0 }]);
    expect(smart.scores).toHaveLength(10);
    expect(smart.scores[0]).toEqual({ bucket_low: 0, bucket_high: 0.1, count: 0 });
    expect(smart.scores[9]).toEqual({ bucket_low: 0.9, bucket_high: 1, count: 0 });
    expect(models[1]).toMatchObject({ strategy: "cascade", quality: null });
  });

  it("counts the share of calls per chosen target, the score buckets and the newest decisions; a cache hit is no decision", async () => {
    for (const p of [HARD_PROMPT, EASY_PROMPT, `${HARD_PROMPT} Show every step.`, EASY_PROMPT.replace("Portugal", "Ghana"), EASY_PROMPT.replace("Portugal", "Laos")]) sent.push(await ask("smart", p));
    const again = await ask("smart", EASY_PROMPT); // the same again: answered from the cache
    expect(again.cache).toBe("hit");
    expect(sent.slice(0, 2).map((s) => s.provider)).toEqual(["dear", "cheap"]);
    const dear = sent.filter((s) => s.provider === "dear").length;
    const smart = await settled("smart", 5);
    expect(smart.targets).toEqual([{ target: "cheap/gpt-4o-mini", calls: 5 - dear, share: (5 - dear) / 5 }, { target: "dear/gpt-4o", calls: dear, share: dear / 5 }]);
    expect(smart.scores.reduce((n, b) => n + b.count, 0)).toBe(5);
    expect(smart.scores.slice(5).reduce((n, b) => n + b.count, 0)).toBeGreaterThanOrEqual(1); // the hard prompt scores above 0.5
    // Newest first, each with the router's choice, its score and the target that answered.
    expect(smart.recent.map((r) => r.id)).toEqual(sent.map((s) => s.id).reverse());
    for (const r of smart.recent) {
      const s = sent.find((x) => x.id === r.id)!;
      expect(r.route_target).toBe(s.provider === "dear" ? "dear/gpt-4o" : "cheap/gpt-4o-mini");
      expect(r.served).toBe(r.route_target);
      expect(r.route_score).toBeGreaterThanOrEqual(0);
      expect(r.status).toBe(200);
      expect(r.feedback_score).toBeNull();
    }
  });

  it("shows feedback on a decision, and a cascade's share by the target that answered", async () => {
    expect((await call("POST", "/v1/feedback", { request_id: sent[1]!.id, score: 0.25 })).status).toBe(200);
    await expect.poll(async () => (await routing()).find((m) => m.model === "smart")!.recent.find((r) => r.id === sent[1]!.id)?.feedback_score, { timeout: 10_000, interval: 50 }).toBe(0.25);
    const smart = (await routing()).find((m) => m.model === "smart")!;
    expect(smart.feedback).toEqual({ count: 1, mean: 0.25 });

    for (const p of ["first question", "second question"]) await ask("careful", p);
    const careful = await settled("careful", 2);
    expect(careful.targets.map((t) => t.target)).toEqual(["cheap/gpt-4o-mini", "dear/gpt-4o"]);
    expect(careful.targets.reduce((n, t) => n + t.share, 0)).toBeCloseTo(1);
    expect(careful.recent).toHaveLength(2);
    expect(careful.recent.every((r) => r.served !== null)).toBe(true);
  });

  it("keeps to the range and the number of recent rows asked for", async () => {
    expect((await routing("?recent=2")).find((m) => m.model === "smart")!.recent).toHaveLength(2);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const later = (await routing(`?since=${encodeURIComponent(future)}`)).find((m) => m.model === "smart")!;
    expect(later).toMatchObject({ calls: 0, recent: [] });
    const all = await call("GET", "/admin/routing?since=1h");
    expect(all.json.since).toEqual(expect.any(String));
    expect((all.json.models as Routed[])[0]!.calls).toBe(5);
    for (const [query, param] of [["?since=yesterday", "since"], ["?until=nope", "until"], ["?recent=0", "recent"], ["?since=1h&until=2h", "since"]] as const) {
      const r = await call("GET", `/admin/routing${query}`);
      expect(r.status, query).toBe(400);
      expect((r.json.error as { param: string }).param).toBe(param);
    }
  });

  it("is read like usage: a viewer sees all, a manager their team's calls, a member is refused", async () => {
    const team = (await call("POST", "/admin/teams", { name: "routing-team" })).json as { id: string };
    const inTeam = (await call("POST", "/admin/keys", { name: "team-caller", team_id: team.id, role: "member" })).json as { key: string };
    const manager = (await call("POST", "/admin/keys", { name: "team-manager", team_id: team.id, role: "manager" })).json as { key: string };
    const viewer = (await call("POST", "/admin/keys", { name: "all-viewer", role: "viewer" })).json as { key: string };
    const teamCall = await ask("smart", "What is the capital of Chile? Answer with one word.", inTeam.key);

    const mine = await settled("smart", 1, manager.key);
    expect(mine.recent.map((r) => r.id)).toEqual([teamCall.id]);
    expect((await settled("smart", 6, viewer.key)).recent).toHaveLength(6);
    const refused = await call("GET", "/admin/routing", undefined, inTeam.key);
    expect(refused.status).toBe(403);
    expect((await call("GET", "/admin/routing", undefined, "lsk_not_a_key")).status).toBe(401);
  });
});

describe("the routing query on every store", () => {
  const schemas: string[] = [];
  const stores: [string, () => Promise<Store>][] = [
    ["memory", async () => new MemoryStore()],
    ["sqlite", async () => {
      mkdirSync(join(dir, "db"), { recursive: true });
      return new SqliteStore({ filename: join(dir, "db", "routing.db") });
    }],
    ["postgres", async () => {
      const schema = uniqueSchema();
      schemas.push(schema);
      return new PostgresStore({ connectionString: PG_URL, schema });
    }],
  ];
  afterAll(() => dropSchemas(schemas));

  const t = (s: number) => new Date(Date.parse("2026-03-01T12:00:00.000Z") + s * 1000).toISOString();
  const rows = [
    makeRow({ id: "req_r1", created_at: t(1), model: "smart", provider: "cheap", upstream_model: "m", route_score: 0.0999, route_target: "cheap/m" }),
    // 0.7 and 1 sit on bucket edges: [0.7, 0.8) and the last bucket.
    makeRow({ id: "req_r2", created_at: t(2), model: "smart", provider: "dear", upstream_model: "M", route_score: 0.7, route_target: "dear/M", feedback_score: 1 }),
    makeRow({ id: "req_r3", created_at: t(3), model: "smart", provider: "dear", upstream_model: "M", route_score: 1, route_target: "cheap/m", team_id: "team_a", feedback_score: 0.5 }),
    makeRow({ id: "req_r4", created_at: t(4), model: "smart", provider: "cheap", upstream_model: "m", route_score: 0.3, route_target: "cheap/m", cache: "hit" }),
    makeRow({ id: "req_r5", created_at: t(5), model: "smart", provider: null, upstream_model: null, route_score: 0.5, route_target: "cheap/m", status: 429 }),
    makeRow({ id: "req_r6", created_at: t(6), model: "other", route_score: 0.2, route_target: "cheap/m" }),
    makeRow({ id: "req_r7", created_at: t(100), model: "smart", provider: "cheap", upstream_model: "m", route_score: 0.05, route_target: "cheap/m" }),
  ];

  for (const [kind, open] of stores) {
    it(`${kind}: counts by choice and answer, buckets the scores, leaves out cache hits, and keeps to range and team`, async () => {
      const store = await open();
      try {
        await store.migrate();
        await store.insertLogs(rows);
        const [smart] = await store.queryRouting!({ models: ["smart"], since: t(0), until: t(50), recent: 3 });
        expect(smart!.targets).toEqual([
          { route_target: "cheap/m", served: "cheap/m", calls: 1 },
          { route_target: "cheap/m", served: "dear/M", calls: 1 },
          { route_target: "cheap/m", served: null, calls: 1 },
          { route_target: "dear/M", served: "dear/M", calls: 1 },
        ]);
        expect(smart!.scores).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
        expect(smart!.feedback).toEqual({ count: 2, mean: 0.75 });
        expect(smart!.recent.map((r) => r.id)).toEqual(["req_r5", "req_r3", "req_r2"]);
        expect(smart!.recent[1]).toEqual({ id: "req_r3", created_at: t(3), route_score: 1, route_target: "cheap/m", served: "dear/M", status: 200, feedback_score: 0.5 });
        expect(smart!.recent[0]!.status).toBe(429);
        const team = await store.queryRouting!({ models: ["smart", "absent"], team_id: "team_a" });
        expect(team.map((s) => [s.model, s.recent.map((r) => r.id)])).toEqual([["smart", ["req_r3"]], ["absent", []]]);
      } finally {
        await store.close();
      }
    });
  }
});
