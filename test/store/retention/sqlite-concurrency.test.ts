/**
 * The point of batching on SQLite: while retention deletes a large backlog,
 * the writer thread's inserts (the request path's logs) keep committing,
 * each waiting at most about one batch for the write lock (WAL mode).
 */
import { afterAll, expect, it } from "vitest";
import { makeRows } from "../log-rows.js";
import { sqliteBackend } from "./retention-backends.js";

const factory = sqliteBackend();
afterAll(() => factory.cleanup());

it("inserts keep succeeding, without long waits, while a big delete runs", { timeout: 120_000 }, async () => {
  const b = await factory.open();
  try {
    const OLD = 60_000;
    for (let i = 0; i < OLD; i += 10_000) await b.store.insertLogs(makeRows(10_000, new Date(Date.parse("2024-01-01T00:00:00Z") + i).toISOString()));

    let deleting = true;
    const deletion = b.retention.deleteOlderThan({ before: "2025-01-01T00:00:00.000Z", batchSize: 250 }).finally(() => {
      deleting = false;
    });

    // What the LogWriter does: small batches of fresh rows, one after another.
    const waits: number[] = [];
    let inserted = 0;
    while (deleting) {
      const rows = makeRows(20, new Date().toISOString());
      const t0 = performance.now();
      await b.store.insertLogs(rows);
      waits.push(performance.now() - t0);
      inserted += rows.length;
    }
    expect(await deletion).toBe(OLD);
    expect(waits.length).toBeGreaterThan(3); // they really interleaved
    expect(Math.max(...waits)).toBeLessThan(2000); // far below busy_timeout (5 s)
    const page = await b.store.queryLogs({ limit: 1000 });
    expect(page.data).toHaveLength(Math.min(1000, inserted));
    expect(page.data.every((r) => r.created_at >= "2025-01-01")).toBe(true);
  } finally {
    await b.close();
  }
});
