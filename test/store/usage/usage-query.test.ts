/**
 * GET /admin/usage's query against SQLite, real PostgreSQL and memory, on one
 * small data set whose aggregates are worked out by hand below. Rows go in
 * through each store's own insertLogs; team_id is set with an UPDATE until
 * the log codec writes it (see the migration 0004 note).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Kysely } from "kysely";
import type { LiaisonDatabase } from "../../../src/store/sql/log-table.js";
import type { LogRow } from "../../../src/store/types.js";
import { queryUsage, queryUsageInMemory, type UsageQuery, type UsageRow } from "../../../src/store/usage/usage-query.js";
import { makeRow } from "../log-rows.js";
import { dropSchemas, PG_URL, uniqueSchema } from "../pg-test-db.js";
import { PostgresProbe, SqliteProbe } from "../probes.js";

// created_at, model, provider, key, team, status, latency, prompt, completion, cost
type Spec = [string, string, string, string | null, string | null, number, number, number | null, number | null, number | null];
const SPECS: Spec[] = [
  ["2025-01-01T10:05:00.000Z", "gpt-4o", "openai", "k1", "t1", 200, 100, 10, 5, 0.001],
  ["2025-01-01T10:30:00.000Z", "gpt-4o", "openai", "k1", "t1", 200, 200, 20, 10, 0.002],
  ["2025-01-01T11:00:00.000Z", "claude", "anthropic", "k2", "t1", 200, 300, 30, 15, 0.003],
  ["2025-01-01T23:59:59.999Z", "gpt-4o", "openai", "k2", "t2", 500, 400, null, null, null],
  ["2025-01-02T00:00:00.000Z", "claude", "anthropic", "k3", null, 429, 50, null, null, null],
  ["2025-01-02T12:00:00.000Z", "gpt-4o", "openai", null, null, 200, 1000, 100, 50, 0.01],
];
const rows: (LogRow & { team_id: string | null })[] = SPECS.map(([created_at, model, provider, key_id, team_id, status, latency_ms, prompt_tokens, completion_tokens, cost_usd]) => ({
  ...makeRow({ created_at, model, provider, key_id, status, latency_ms, prompt_tokens, completion_tokens, cost_usd }),
  team_id,
}));

const row = (group: string | null, requests: number, errors: number, prompt: number, completion: number, cost: number, p50: number, p95: number): UsageRow =>
  ({ group, requests, errors, prompt_tokens: prompt, completion_tokens: completion, cost_usd: cost, cache_hits: 0, cache_saved_usd: 0, p50_ms: p50, p95_ms: p95 });

// percentile_cont: position (n-1)·p between the sorted latencies.
const EXPECTED: [string, UsageQuery, UsageRow[]][] = [
  ["by model", { group_by: "model" }, [
    // gpt-4o: [100, 200, 400, 1000] → p50 at 1.5 = 300; p95 at 2.85 = 400 + 0.85·600 = 910
    row("gpt-4o", 4, 1, 130, 65, 0.013, 300, 910),
    // claude: [50, 300] → p50 175; p95 at 0.95 = 50 + 0.95·250 = 287.5
    row("claude", 2, 1, 30, 15, 0.003, 175, 287.5),
  ]],
  ["by day", { group_by: "day" }, [
    // [100, 200, 300, 400] → 250; 300 + 0.85·100 = 385
    row("2025-01-01", 4, 1, 60, 30, 0.006, 250, 385),
    // [50, 1000] → 525; 50 + 0.95·950 = 952.5
    row("2025-01-02", 2, 1, 100, 50, 0.01, 525, 952.5),
  ]],
  ["by hour within [since, until)", { group_by: "hour", since: "2025-01-01T10:00:00Z", until: "2025-01-01T12:00:00Z" }, [
    row("2025-01-01T10:00:00.000Z", 2, 0, 30, 15, 0.003, 150, 195),
    row("2025-01-01T11:00:00.000Z", 1, 0, 30, 15, 0.003, 300, 300),
  ]],
  ["by minute", { group_by: "minute", since: "2025-01-01T10:00:00Z", until: "2025-01-01T11:00:00Z" }, [
    row("2025-01-01T10:05:00.000Z", 1, 0, 10, 5, 0.001, 100, 100),
    row("2025-01-01T10:30:00.000Z", 1, 0, 20, 10, 0.002, 200, 200),
  ]],
  ["until is exclusive", { group_by: "day", until: "2025-01-02T00:00:00.000Z" }, [
    row("2025-01-01", 4, 1, 60, 30, 0.006, 250, 385),
  ]],
  ["by team (no team last among equals, cost first)", { group_by: "team" }, [
    row(null, 2, 1, 100, 50, 0.01, 525, 952.5),
    row("t1", 3, 0, 60, 30, 0.006, 200, 290),
    row("t2", 1, 1, 0, 0, 0, 400, 400),
  ]],
  ["by key within a team (equal cost: more requests first)", { group_by: "key", team_id: "t1" }, [
    row("k1", 2, 0, 30, 15, 0.003, 150, 195),
    row("k2", 1, 0, 30, 15, 0.003, 300, 300),
  ]],
  ["by provider for one key", { group_by: "provider", key_id: "k2" }, [
    row("anthropic", 1, 0, 30, 15, 0.003, 300, 300),
    row("openai", 1, 1, 0, 0, 0, 400, 400),
  ]],
  ["an empty range", { group_by: "model", since: "2030-01-01T00:00:00Z" }, []],
];

type Run = (q: UsageQuery) => Promise<UsageRow[]>;

function suite(name: string, open: () => Promise<{ run: Run; close?: () => Promise<void> }>): void {
  describe(`usage on ${name}`, () => {
    let run: Run;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ run, close } = await open());
    });
    afterAll(async () => close?.());

    it.each(EXPECTED)("%s", async (_name, query, expected) => {
      const got = await run(query);
      expect(got.map((r) => r.group)).toEqual(expected.map((r) => r.group));
      for (const [i, want] of expected.entries()) {
        const { cost_usd, ...rest } = got[i]!;
        const { cost_usd: wantCost, ...wantRest } = want;
        expect(rest).toEqual(wantRest);
        expect(cost_usd).toBeCloseTo(wantCost, 12);
      }
    });

    it("rejects an unknown group_by and a bad timestamp with the param", async () => {
      await expect(run({ group_by: "week" as never })).rejects.toMatchObject({ param: "group_by" });
      await expect(run({ group_by: "day", since: "yesterday" })).rejects.toMatchObject({ param: "since" });
    });
  });
}

async function setTeams(db: Kysely<LiaisonDatabase>): Promise<void> {
  for (const r of rows) if (r.team_id !== null) await sql`update request_logs set team_id = ${r.team_id} where id = ${r.id}`.execute(db);
}

suite("memory", async () => ({ run: async (q) => queryUsageInMemory(rows, q) }));

suite("sqlite", async () => {
  const store = new SqliteProbe({ filename: ":memory:" });
  await store.migrate();
  await store.insertLogs(rows);
  await setTeams(store.kysely);
  return { run: (q) => queryUsage(store.kysely, "sqlite", q), close: () => store.close() };
});

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

suite("postgres", async () => {
  const schema = uniqueSchema();
  schemas.push(schema);
  const store = new PostgresProbe({ connectionString: PG_URL, schema });
  await store.migrate();
  await store.insertLogs(rows);
  await setTeams(store.kysely);
  return { run: (q) => queryUsage(store.kysely, "postgres", q), close: () => store.close() };
});

describe("cache hits and what they saved", () => {
  const cached = [
    makeRow({ created_at: "2025-05-01T00:00:00.000Z", model: "m", cache: "hit", cache_saved_usd: 0.25, cost_usd: 0 }),
    makeRow({ created_at: "2025-05-01T00:00:01.000Z", model: "m", cache: "semantic-hit", cache_saved_usd: 0.5, cost_usd: 0 }),
    makeRow({ created_at: "2025-05-01T00:00:02.000Z", model: "m", cache: "miss", cost_usd: 1 }),
  ];
  it("are counted alike in memory and on SQLite", async () => {
    const lite = new SqliteProbe({ filename: ":memory:" });
    await lite.migrate();
    await lite.insertLogs(cached);
    try {
      for (const got of [queryUsageInMemory(cached, { group_by: "model" }), await queryUsage(lite.kysely, "sqlite", { group_by: "model" })]) {
        expect(got).toMatchObject([{ group: "m", requests: 3, cache_hits: 2, cache_saved_usd: 0.75 }]);
      }
    } finally {
      await lite.close();
    }
  });
});

describe("migration 0004", () => {
  it("adds request_logs.team_id with its (team_id, created_at, id) index on SQLite", async () => {
    const store = new SqliteProbe({ filename: ":memory:" });
    await store.migrate();
    const columns = await sql<{ name: string; type: string }>`select name, type from pragma_table_info('request_logs')`.execute(store.kysely);
    expect(columns.rows).toContainEqual(expect.objectContaining({ name: "team_id", type: "TEXT" }));
    const index = await sql<{ name: string }>`select name from pragma_index_info('request_logs_team_id_created_at_idx')`.execute(store.kysely);
    expect(index.rows.map((r) => r.name)).toEqual(["team_id", "created_at", "id"]);
    await store.close();
  });
});

describe("percentiles agree across engines on a larger, tied, uneven data set", () => {
  // A fixed pseudo-random sequence: same data every run.
  let seed = 42;
  const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const many = Array.from({ length: 301 }, (_, i) => makeRow({
    created_at: new Date(Date.parse("2025-03-01T00:00:00Z") + i * 97_000).toISOString(),
    model: ["a", "b", "c", "d"][i % 4]!,
    latency_ms: Math.round(next() * 50) * 10 + 0.125, // many ties
    cost_usd: Math.round(next() * 1e6) / 1e9,
  }));
  const queries: UsageQuery[] = [{ group_by: "model" }, { group_by: "hour" }, { group_by: "day", since: "2025-03-01T03:00:00Z" }];

  it("SQLite and PostgreSQL match the in-memory computation", async () => {
    const lite = new SqliteProbe({ filename: ":memory:" });
    await lite.migrate();
    await lite.insertLogs(many);
    const schema = uniqueSchema();
    schemas.push(schema);
    const pg = new PostgresProbe({ connectionString: PG_URL, schema });
    await pg.migrate();
    await pg.insertLogs(many);
    try {
      for (const q of queries) {
        const want = queryUsageInMemory(many, q);
        expect(want.length).toBeGreaterThan(0);
        for (const got of [await queryUsage(lite.kysely, "sqlite", q), await queryUsage(pg.kysely, "postgres", q)]) {
          expect(got.map(({ cost_usd: _c, ...r }) => r)).toEqual(want.map(({ cost_usd: _c, ...r }) => r));
          got.forEach((r, i) => expect(r.cost_usd).toBeCloseTo(want[i]!.cost_usd, 9));
        }
      }
    } finally {
      await lite.close();
      await pg.close();
    }
  });
});
