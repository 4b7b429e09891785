/** The spend store: one contract against memory, SQLite and a real PostgreSQL; its writer; and a restart that resumes spend. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createQuotas } from "../../../src/engine/quotas/create-quotas.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { MemorySpendStore } from "../../../src/store/spend/memory-spend-store.js";
import { openSpendStore } from "../../../src/store/spend/open-spend-store.js";
import { SpendWriter } from "../../../src/store/spend/spend-writer.js";
import type { SpendDelta, SpendStore } from "../../../src/store/spend/types.js";
import type { Store } from "../../../src/store/types.js";
import { dropSchemas, PG_URL, uniqueSchema } from "../../store/pg-test-db.js";

const dir = mkdtempSync(join(tmpdir(), "liaison-spend-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

let files = 0;
/** A migrated main store and a spend store on the same database (reopen: a second process on it). */
const backends: [string, () => Promise<{ open(): Promise<SpendStore>; url: string }>][] = [
  ["memory", async () => {
    const s = new MemorySpendStore();
    return { open: async () => s, url: "memory:" };
  }],
  ["sqlite", async () => {
    const url = `sqlite://${join(dir, `run-${++files}`, "liaison.db")}`;
    const main = new SqliteStore({ filename: url.slice("sqlite://".length) });
    await main.migrate();
    toClose.push(main);
    return { open: () => openSpendStore(url), url };
  }],
  ["postgres", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const main = new PostgresStore({ connectionString: PG_URL, schema });
    await main.migrate();
    toClose.push(main);
    return { open: () => openSpendStore(PG_URL, { schema }), url: PG_URL };
  }],
];

const MAY = "2024-05-01T00:00:00.000Z";
const MAY_15 = "2024-05-15T00:00:00.000Z";
const d = (subject: string, usd: number, period: SpendDelta["period"] = "monthly", period_start = MAY): SpendDelta => ({ subject, period, period_start, usd });

describe.each(backends)("SpendStore contract: %s", (_name, setup) => {
  async function store(): Promise<{ s: SpendStore; reopen: () => Promise<SpendStore> }> {
    const b = await setup();
    const s = await b.open();
    toClose.push(s);
    return { s, reopen: async () => { const r = await b.open(); toClose.push(r); return r; } };
  }

  it("adds to existing rows (upsert-add), also for repeated keys in one batch", async () => {
    const { s } = await store();
    await s.addSpend([d("key:a", 0.25), d("key:a", 0.5), d("team:t", 1)], new Date("2024-05-02T00:00:00Z"));
    await s.addSpend([d("key:a", 0.25)], new Date("2024-05-03T00:00:00Z"));
    const rows = await s.forSubject("key:a");
    expect(rows).toEqual([{ subject: "key:a", period: "monthly", period_start: MAY, usd: 1, updated_at: "2024-05-03T00:00:00.000Z" }]);
  });

  it("current() returns each period's current rows only", async () => {
    const { s } = await store();
    await s.addSpend([
      d("key:a", 1), d("key:a", 2, "monthly", "2024-04-01T00:00:00.000Z"),
      d("key:a", 3, "daily", MAY_15), d("key:b", 4, "daily", "2024-05-14T00:00:00.000Z"),
      d("key:c", 5, "total", "1970-01-01T00:00:00.000Z"),
    ]);
    const rows = await s.current({ monthly: MAY, daily: MAY_15, total: "1970-01-01T00:00:00.000Z", weekly: "2024-05-13T00:00:00.000Z" });
    expect(rows.map((r) => [r.subject, r.period, r.usd]).sort()).toEqual([["key:a", "daily", 3], ["key:a", "monthly", 1], ["key:c", "total", 5]]);
    expect(await s.current({})).toEqual([]);
  });

  it("timestamps in any ISO form name the same period", async () => {
    const { s } = await store();
    await s.addSpend([d("key:a", 1, "monthly", "2024-05-01T00:00:00Z")]);
    await s.addSpend([d("key:a", 1, "monthly", "2024-05-01T02:00:00+02:00")]);
    expect((await s.current({ monthly: MAY })).map((r) => r.usd)).toEqual([2]);
  });

  it("a bad delta writes nothing of its batch", async () => {
    const { s } = await store();
    await expect(s.addSpend([d("key:a", 1), d("key:b", Number.NaN)])).rejects.toThrow();
    expect(await s.forSubject("key:a")).toEqual([]);
  });

  it("spend written by one process is read by another", async () => {
    const { s, reopen } = await store();
    await s.addSpend([d("key:a", 0.75)]);
    const other = await reopen();
    await other.addSpend([d("key:a", 0.25)]);
    expect((await s.forSubject("key:a"))[0]!.usd).toBe(1);
  });
});

describe("SpendWriter", () => {
  it("merges amounts per row between flushes and retries a failed batch", async () => {
    const inner = new MemorySpendStore();
    let failures = 1;
    const batches: number[] = [];
    const flaky: SpendStore = {
      ...inner,
      current: (x) => inner.current(x),
      forSubject: (x) => inner.forSubject(x),
      close: () => inner.close(),
      addSpend: async (deltas) => {
        if (failures-- > 0) throw new Error("database down");
        batches.push(deltas.length);
        return inner.addSpend(deltas);
      },
    };
    const errors: unknown[] = [];
    const w = new SpendWriter(flaky, { flushIntervalMs: 10, onError: (e) => errors.push(e) });
    for (let i = 0; i < 100; i++) w.add(d("key:a", 0.01));
    w.add(d("team:t", 1));
    w.add(d("key:zero", 0)); // nothing to write
    expect(w.depth).toBe(2);
    await expect.poll(() => batches.length).toBe(1);
    expect(batches).toEqual([2]);
    expect(errors).toHaveLength(1);
    expect((await inner.forSubject("key:a"))[0]!.usd).toBeCloseTo(1);
    w.add(d("key:a", 1));
    await w.close(); // flushes what is left
    expect((await inner.forSubject("key:a"))[0]!.usd).toBeCloseTo(2);
  });
});

describe("restart without Redis", () => {
  it("a restarted instance resumes from the stored spend of the current period", async () => {
    const url = `sqlite://${join(dir, "restart", "liaison.db")}`;
    const main: Store = new SqliteStore({ filename: url.slice("sqlite://".length) });
    await main.migrate();
    toClose.push(main);
    const k = [{ id: "key:k1", budgetUsd: 1, period: "monthly" as const }];

    const firstStore = await openSpendStore(url);
    toClose.push(firstStore);
    const first = await createQuotas({ spendStore: firstStore });
    const c = await first.budgets.check(k, 0.7);
    expect(c.ok).toBe(true);
    if (c.ok) c.settle(0.7);
    await first.close(); // flushes the spend

    const spendStore = await openSpendStore(url);
    toClose.push(spendStore);
    const second = await createQuotas({ spendStore });
    toClose.push(second);
    expect(await second.budgets.check(k, 0.4)).toMatchObject({ ok: false, subject: "key:k1" });
    expect((await second.budgets.check(k, 0.3)).ok).toBe(true);
  });
});
