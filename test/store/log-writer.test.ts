import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { LogWriter, type DropReason, type LogWriterOptions } from "../../src/store/log-writer.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { LogPage, LogQuery, LogRow, Store } from "../../src/store/types.js";
import { makeRows } from "./log-rows.js";

/**
 * A real MemoryStore behind a wrapper that records every insertLogs call and
 * can fail or stall them on demand (the "database is down" switch).
 */
class ScriptedStore implements Store {
  readonly kind = "scripted";
  readonly inner = new MemoryStore();
  readonly calls: LogRow[][] = [];
  failNext = 0;
  failAll = false;
  /** While set, insertLogs waits for it (a stalled database). */
  gate: Promise<void> | undefined;
  inFlight = 0;
  maxInFlight = 0;
  closed = false;

  async insertLogs(rows: LogRow[]): Promise<void> {
    this.calls.push(rows);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.gate;
      if (this.failAll || this.failNext > 0) {
        this.failNext = Math.max(0, this.failNext - 1);
        throw new Error("database unavailable");
      }
      await this.inner.insertLogs(rows);
    } finally {
      this.inFlight -= 1;
    }
  }

  async storedIds(): Promise<string[]> {
    const page = await this.inner.queryLogs({ limit: 1000 });
    return page.data.map((r) => r.id).reverse();
  }

  migrate(): Promise<void> {
    return this.inner.migrate();
  }
  queryLogs(query: LogQuery): Promise<LogPage> {
    return this.inner.queryLogs(query);
  }
  getLog(id: string): Promise<LogRow | undefined> {
    return this.inner.getLog(id);
  }
  retention(): ReturnType<Store["retention"]> {
    return this.inner.retention();
  }
  spendStore(): ReturnType<Store["spendStore"]> {
    return this.inner.spendStore();
  }
  queryUsage(query: Parameters<Store["queryUsage"]>[0]): ReturnType<Store["queryUsage"]> {
    return this.inner.queryUsage(query);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function recordingHooks() {
  const events = {
    written: [] as number[],
    dropped: [] as [number, DropReason][],
    errors: [] as number[],
  };
  const hooks: LogWriterOptions["hooks"] = {
    onWritten: (n) => events.written.push(n),
    onDropped: (n, reason) => events.dropped.push([n, reason]),
    onError: (_err, attempt) => events.errors.push(attempt),
  };
  return { events, hooks };
}

const sum = (ns: number[]): number => ns.reduce((a, b) => a + b, 0);

describe("LogWriter", () => {
  it("batches many rows into few writes, in order, one write at a time", async () => {
    const store = new ScriptedStore();
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 100, flushIntervalMs: 10_000, hooks });
    const rows = makeRows(950);
    for (const row of rows) writer.enqueue(row);
    // enqueue never writes on the caller's stack.
    expect(store.calls).toHaveLength(0);
    expect(writer.depth).toBe(950);

    await writer.flush();
    expect(store.calls.length).toBeLessThanOrEqual(10);
    expect(store.calls.every((c) => c.length <= 100)).toBe(true);
    expect(store.calls.flat().map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(store.maxInFlight).toBe(1);
    expect(await store.storedIds()).toEqual(rows.map((r) => r.id));
    expect(writer.written).toBe(950);
    expect(writer.depth).toBe(0);
    expect(sum(events.written)).toBe(950);
    await writer.close();
  });

  it("writes a full batch without waiting for the interval", async () => {
    const store = new ScriptedStore();
    const writer = new LogWriter(store, { batchSize: 10, flushIntervalMs: 60_000 });
    for (const row of makeRows(10)) writer.enqueue(row);
    await vi.waitFor(() => expect(writer.written).toBe(10), { timeout: 2000 });
    await writer.close();
  });

  it("writes a partial batch after flushIntervalMs", async () => {
    const store = new ScriptedStore();
    const writer = new LogWriter(store, { batchSize: 500, flushIntervalMs: 20 });
    for (const row of makeRows(3)) writer.enqueue(row);
    await vi.waitFor(() => expect(writer.written).toBe(3), { timeout: 2000 });
    expect(store.calls).toHaveLength(1);
    await writer.close();
  });

  it("lets rows that arrive during a write wait for a full batch or the interval, not write them as a trickle", async () => {
    const store = new ScriptedStore();
    const writer = new LogWriter(store, { batchSize: 10, flushIntervalMs: 150 });
    let release!: () => void;
    store.gate = new Promise<void>((r) => (release = r));
    const rows = makeRows(25);
    for (const row of rows.slice(0, 10)) writer.enqueue(row);
    await vi.waitFor(() => expect(store.calls).toHaveLength(1));
    for (const row of rows.slice(10, 13)) writer.enqueue(row);
    store.gate = undefined;
    release();
    await vi.waitFor(() => expect(writer.written).toBe(10));
    await new Promise((r) => setTimeout(r, 40));
    // Three rows are not a batch: they wait for more or for the interval.
    expect(store.calls).toHaveLength(1);
    for (const row of rows.slice(13, 23)) writer.enqueue(row);
    await vi.waitFor(() => expect(writer.written).toBe(20));
    expect(store.calls.map((c) => c.length)).toEqual([10, 10]);
    await vi.waitFor(() => expect(writer.written).toBe(23), { timeout: 2000 });
    expect(store.calls.map((c) => c.length)).toEqual([10, 10, 3]);
    // flush() does not wait for the interval.
    for (const row of rows.slice(23)) writer.enqueue(row);
    await writer.flush();
    expect(writer.written).toBe(25);
    expect(await store.storedIds()).toEqual(rows.map((r) => r.id));
    await writer.close();
  });
  it("retries a failed batch with backoff, keeping rows in order, and accepts rows meanwhile", async () => {
    const store = new ScriptedStore();
    store.failNext = 2;
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 5, flushIntervalMs: 5, retryBaseMs: 5, hooks });
    const first = makeRows(5);
    const later = makeRows(7, "2025-01-02T00:00:00.000Z");
    for (const row of first) writer.enqueue(row);
    await vi.waitFor(() => expect(events.errors.length).toBeGreaterThan(0));
    for (const row of later) writer.enqueue(row);

    await writer.flush();
    expect(events.errors).toEqual([1, 2]);
    expect(events.dropped).toEqual([]);
    expect(writer.dropped).toBe(0);
    expect(writer.written).toBe(12);
    expect(await store.storedIds()).toEqual([...first, ...later].map((r) => r.id));
    // The retried batch was the same rows each time.
    expect(store.calls.slice(0, 3).map((c) => c.map((r) => r.id))).toEqual([0, 1, 2].map(() => first.map((r) => r.id)));
    await writer.close();
  });

  it("drops a batch after maxRetries failures, reports it, and moves on", async () => {
    const store = new ScriptedStore();
    store.failAll = true;
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 4, maxRetries: 3, retryBaseMs: 1, flushIntervalMs: 1, hooks });
    const doomed = makeRows(4);
    for (const row of doomed) writer.enqueue(row);
    await writer.flush();
    expect(events.errors).toEqual([1, 2, 3]);
    expect(events.dropped).toEqual([[4, "write_failed"]]);
    expect(writer.dropped).toBe(4);
    expect(writer.depth).toBe(0);
    expect(store.calls).toHaveLength(3);

    store.failAll = false;
    const survivors = makeRows(3, "2025-01-03T00:00:00.000Z");
    for (const row of survivors) writer.enqueue(row);
    await writer.flush();
    expect(await store.storedIds()).toEqual(survivors.map((r) => r.id));
    expect(writer.written).toBe(3);
    await writer.close();
  });

  it("drops rows beyond maxQueue as queue_full and counts them", async () => {
    const store = new ScriptedStore();
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { maxQueue: 10, batchSize: 4, flushIntervalMs: 1, hooks });
    const rows = makeRows(15);
    for (const row of rows.slice(0, 4)) writer.enqueue(row);
    await vi.waitFor(() => expect(store.calls).toHaveLength(1)); // first batch stalled in flight
    for (const row of rows.slice(4)) writer.enqueue(row);

    expect(writer.depth).toBe(10);
    expect(writer.dropped).toBe(5);
    expect(events.dropped).toEqual(Array.from({ length: 5 }, () => [1, "queue_full"]));

    release();
    store.gate = undefined;
    await writer.flush();
    expect(await store.storedIds()).toEqual(rows.slice(0, 10).map((r) => r.id));
    await writer.close();
  });

  it("close() drains everything queued, refuses later rows, and leaves the store open", async () => {
    const store = new ScriptedStore();
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 500, flushIntervalMs: 60_000, hooks });
    const rows = makeRows(1234);
    for (const row of rows) writer.enqueue(row);
    await writer.close();
    expect(writer.written).toBe(1234);
    expect(writer.depth).toBe(0);
    expect(store.calls.flat().map((r) => r.id)).toEqual(rows.map((r) => r.id));
    await expect(store.inner.getLog(rows[1233]!.id)).resolves.toEqual(rows[1233]);
    expect(store.closed).toBe(false);

    writer.enqueue(makeRows(1)[0]!);
    expect(events.dropped).toEqual([[1, "closed"]]);
    expect(writer.dropped).toBe(1);
    await writer.close(); // idempotent
    await writer.flush();
  });

  it("close() gives up at closeTimeoutMs and reports what it could not write", async () => {
    const store = new ScriptedStore();
    store.gate = new Promise(() => {}); // the database never answers
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 10, flushIntervalMs: 1, closeTimeoutMs: 100, hooks });
    for (const row of makeRows(25)) writer.enqueue(row);
    const started = Date.now();
    await writer.close();
    expect(Date.now() - started).toBeLessThan(2000);
    // 10 rows are still in flight (settled when that write ends); 15 were never tried.
    expect(events.dropped).toEqual([[15, "closed"]]);
    expect(writer.depth).toBe(10);
  });

  it("survives hooks that throw", async () => {
    const store = new ScriptedStore();
    store.failNext = 1;
    const boom = () => {
      throw new Error("broken hook");
    };
    const writer = new LogWriter(store, {
      retryBaseMs: 1,
      flushIntervalMs: 1,
      hooks: { onWritten: boom, onDropped: boom, onError: boom },
    });
    for (const row of makeRows(5)) writer.enqueue(row);
    await writer.flush();
    expect(writer.written).toBe(5);
    await writer.close();
  });
});

describe("LogWriter against a real database that goes away", () => {
  const dir = mkdtempSync(join(tmpdir(), "liaison-writer-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps accepting rows while SQLite is locked by another process, then writes them all", async () => {
    const filename = join(dir, "locked.db");
    const store = new SqliteStore({ filename, busyTimeoutMs: 5 });
    await store.migrate();
    // Another connection holding an exclusive lock: every write gets SQLITE_BUSY.
    const other = new Database(filename);
    other.exec("begin exclusive");

    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 50, flushIntervalMs: 5, retryBaseMs: 20, maxRetries: 50, hooks });
    const rows = makeRows(120);
    for (const row of rows.slice(0, 60)) writer.enqueue(row);
    await vi.waitFor(() => expect(events.errors.length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    for (const row of rows.slice(60)) writer.enqueue(row);
    expect(writer.depth).toBe(120);
    expect(writer.written).toBe(0);

    other.exec("commit");
    other.close();
    await writer.flush();
    expect(writer.written).toBe(120);
    expect(writer.dropped).toBe(0);
    const stored = await store.queryLogs({ limit: 1000 });
    expect(stored.data.map((r) => r.id).reverse()).toEqual(rows.map((r) => r.id));
    await writer.close();
    await store.close();
  });

  it("writes later rows intact after giving up on a batch SQLite refused (the sink lets the given-up rows' bytes go)", async () => {
    const filename = join(dir, "given-up.db");
    const store = new SqliteStore({ filename, busyTimeoutMs: 5 });
    await store.migrate();
    const other = new Database(filename);
    other.exec("begin exclusive");
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 10, flushIntervalMs: 5, retryBaseMs: 5, maxRetries: 2, hooks });
    const rows = makeRows(35);
    for (const row of rows.slice(0, 10)) writer.enqueue(row);
    await writer.flush();
    expect(events.dropped).toEqual([[10, "write_failed"]]);

    other.exec("commit");
    other.close();
    for (const row of rows.slice(10)) writer.enqueue(row);
    await writer.flush();
    expect(writer.written).toBe(25);
    const stored = await store.queryLogs({ limit: 1000 });
    expect(stored.data.map((r) => r.id).reverse()).toEqual(rows.slice(10).map((r) => r.id));
    expect(await store.getLog(rows[34]!.id)).toEqual(rows[34]);
    await writer.close();
    await store.close();
  });

  it("reports, without throwing or crashing, when PostgreSQL is unreachable", async () => {
    const store = new PostgresStore({ connectionString: "postgres://postgres@127.0.0.1:1/test", connectionTimeoutMs: 1000 });
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 10, flushIntervalMs: 5, maxRetries: 2, retryBaseMs: 5, maxQueue: 30, hooks });
    const rows = makeRows(40);
    expect(() => {
      for (const row of rows) writer.enqueue(row);
    }).not.toThrow();
    await writer.flush();
    await writer.close();

    expect(writer.written).toBe(0);
    expect(writer.dropped).toBe(40);
    const byReason = (reason: DropReason) => sum(events.dropped.filter(([, r]) => r === reason).map(([n]) => n));
    expect(byReason("queue_full")).toBe(10);
    expect(byReason("write_failed")).toBe(30);
    expect(events.errors.length).toBe(6); // 3 batches × 2 attempts
    await store.close();
  });
});

describe("LogWriter with a store's sink", () => {
  it("queues SQLite rows encoded, writes them all, and drops alone a row that cannot be encoded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "liaison-sink-"));
    const store = new SqliteStore({ filename: join(dir, "logs.db") });
    await store.migrate();
    const { events, hooks } = recordingHooks();
    const writer = new LogWriter(store, { batchSize: 25, flushIntervalMs: 5, hooks });
    const rows = makeRows(60);
    // A BigInt cannot be written as JSON: before, it failed its whole batch on every retry.
    rows[7] = { ...rows[7]!, metadata: { n: 10n } as unknown as Record<string, unknown> };
    for (const row of rows) writer.enqueue(row);
    await writer.flush();
    expect(writer.written).toBe(59);
    expect(events.dropped).toEqual([[1, "write_failed"]]);
    const stored = await store.queryLogs({ limit: 1000 });
    expect(stored.data.map((r) => r.id).reverse()).toEqual(rows.filter((_, i) => i !== 7).map((r) => r.id));
    const one = await store.getLog(rows[3]!.id);
    expect(one).toEqual(rows[3]);
    await writer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
