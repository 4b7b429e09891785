/**
 * How the request log keeps rows through trouble. An outage: the writer
 * retries without limit; rows past the memory queue wait in the spool on
 * disk, come back oldest first once the store takes writes, and survive
 * close() and a new process; a spool that cannot be written costs rows
 * (counted), never a throw. Rows the store refuses on their own: isolated
 * and dropped, and only they.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { LogSpool } from "../../src/store/log-spool.js";
import { LogWriter, type DropReason, type LogWriterOptions } from "../../src/store/log-writer.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { LogRow } from "../../src/store/types.js";
import { makeRows } from "./log-rows.js";

/** A MemoryStore with switches: down (inserts and pings fail), refusing (inserts fail, pings answer: a full disk), bad rows. */
class FlakyStore extends MemoryStore {
  down = false;
  refusing = false;
  /** Ids of rows the store refuses, and with them any insert that holds one. */
  readonly poison = new Set<string>();
  readonly calls: number[] = [];
  override async insertLogs(rows: LogRow[]): Promise<void> {
    this.calls.push(rows.length);
    if (this.down) throw new Error("connection refused");
    if (this.refusing) throw new Error("database or disk is full");
    if (rows.some((r) => this.poison.has(r.id))) throw new Error("value out of range");
    return super.insertLogs(rows);
  }
  override async ping(): Promise<void> {
    if (this.down) throw new Error("connection refused");
  }
  async ids(): Promise<string[]> {
    return (await this.queryLogs({ limit: 1000 })).data.map((r) => r.id).reverse();
  }
}

const root = mkdtempSync(join(tmpdir(), "liaison-spool-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `spool-${++dirs}`);
const spoolFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

function writerFor(store: FlakyStore | SqliteStore, dir: string | undefined, options: LogWriterOptions = {}) {
  const dropped: [number, DropReason][] = [];
  const errors: number[] = [];
  const writer = new LogWriter(store, {
    batchSize: 10, flushIntervalMs: 1, retryBaseMs: 2, maxQueue: 10, closeTimeoutMs: 200,
    ...(dir === undefined ? {} : { spool: { dir, maxBytes: 1 << 20 } }),
    hooks: { onDropped: (n, reason) => dropped.push([n, reason]), onError: (_err, attempt) => errors.push(attempt) },
    ...options,
  });
  return { writer, dropped, errors };
}

describe("LogWriter through an outage", () => {
  it("retries for as long as the store is down, far past the old five tries, then writes every row", async () => {
    const store = new FlakyStore();
    store.down = true;
    const { writer, dropped, errors } = writerFor(store, undefined, { maxQueue: 100 });
    const rows = makeRows(35);
    for (const row of rows) writer.enqueue(row);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(9), { timeout: 5000 });
    expect(writer.dropped).toBe(0);
    expect(writer.depth).toBe(35);
    expect(writer.writable).toBe(false);

    store.down = false;
    await writer.flush();
    expect(writer.written).toBe(35);
    expect(dropped).toEqual([]);
    expect(await store.ids()).toEqual(rows.map((r) => r.id));
    expect(writer.writable).toBe(true);
    await writer.close();
  });

  it("loses nothing to a store that answers but refuses every row (a full disk), however its batches are split", async () => {
    const store = new FlakyStore();
    store.refusing = true;
    const { writer, dropped } = writerFor(store, undefined, { maxQueue: 100, batchSize: 8 });
    const rows = makeRows(20);
    for (const row of rows) writer.enqueue(row);
    // Long enough to split batches down to single rows.
    await vi.waitFor(() => expect(store.calls).toContain(1), { timeout: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(writer.dropped).toBe(0);
    expect(writer.writable).toBe(false);

    store.refusing = false;
    await writer.flush();
    expect(dropped).toEqual([]);
    expect((await store.ids()).sort()).toEqual(rows.map((r) => r.id));
    await writer.close();
  });
});

describe("LogWriter and rows the store refuses on their own", () => {
  it("splits a batch the store keeps refusing and drops only those rows", async () => {
    const store = new FlakyStore();
    const { writer, dropped } = writerFor(store, undefined, { maxQueue: 100, batchSize: 40, retryBaseMs: 1 });
    const rows = makeRows(40);
    // The first row (nothing before it can show the store works) and two in the middle.
    const bad = [0, 17, 18];
    for (const i of bad) store.poison.add(rows[i]!.id);
    for (const row of rows) writer.enqueue(row);
    await writer.flush();
    expect(writer.written).toBe(37);
    expect(dropped).toEqual([[1, "write_failed"], [1, "write_failed"], [1, "write_failed"]]);
    expect(await store.ids()).toEqual(rows.filter((_, i) => !bad.includes(i)).map((r) => r.id));
    expect(writer.writable).toBe(true);
    await writer.close();
  });

  it("drops a lone bad row as soon as a later row is written (a quiet gateway: one row per batch)", async () => {
    const store = new FlakyStore();
    const { writer, dropped } = writerFor(store, undefined, { retryBaseMs: 1 });
    const [bad, good] = makeRows(2);
    store.poison.add(bad!.id);
    writer.enqueue(bad!);
    // Refused alone (three times, then isolated), with nothing to compare it with: it waits, and /ready says so.
    await vi.waitFor(() => expect(store.calls.length).toBeGreaterThanOrEqual(4));
    expect(dropped).toEqual([]);
    expect(writer.writable).toBe(false);
    writer.enqueue(good!);
    await writer.flush();
    expect(dropped).toEqual([[1, "write_failed"]]);
    expect(await store.ids()).toEqual([good!.id]);
    expect(writer.writable).toBe(true);
    await writer.close();
  });

  it("drops a row refused alone for poisonMs when nothing else can be tried, and is ready again", async () => {
    const store = new FlakyStore();
    const { writer, dropped } = writerFor(store, undefined, { retryBaseMs: 1, poisonMs: 200 });
    const [bad] = makeRows(1);
    store.poison.add(bad!.id);
    const started = Date.now();
    writer.enqueue(bad!);
    await writer.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(dropped).toEqual([[1, "write_failed"]]);
    // Nothing waits any more; staying not ready would only keep away the traffic that proves the store works.
    expect(writer.writable).toBe(true);
    await writer.close();
  });

  it("keeps SQLite's order: a bad row goes at once after a row before it is written, at the head of a batch after poisonMs", async () => {
    const store = new SqliteStore({ filename: join(root, "poison.db") });
    await store.migrate();
    const { writer, dropped } = writerFor(store, undefined, { maxQueue: 100, retryBaseMs: 1, poisonMs: 300 });
    // NaN is JSON null: the NOT NULL column refuses the row. Rows 0-9 and 10-19 are one batch each.
    const rows = makeRows(20).map((row, i) => (i === 6 || i === 10 ? { ...row, latency_ms: NaN } : row));
    const started = Date.now();
    for (const row of rows) writer.enqueue(row);
    await writer.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(dropped).toEqual([[1, "write_failed"], [1, "write_failed"]]);
    const stored = await store.queryLogs({ limit: 100 });
    expect(stored.data.map((r) => r.id).reverse()).toEqual(rows.filter((_, i) => i !== 6 && i !== 10).map((r) => r.id));
    await writer.close();
    await store.close();
  });
});

describe("LogSpool", () => {
  it("gives rows back exactly as offered, oldest first, and counts its bytes down to zero", async () => {
    const spool = new LogSpool({ dir: freshDir(), maxBytes: 1 << 20 });
    const rows = makeRows(25).map((row, i) => ({ ...row, metadata: { i, text: "line\nbreak \u2603" }, request_body: { messages: [{ role: "user", content: "x" }] } }));
    for (const row of rows) expect(spool.offer(row)).toBeUndefined();
    expect(spool.bytes).toBeGreaterThan(0);
    const back: LogRow[] = [];
    for (let got = await spool.take(7); got !== undefined; got = await spool.take(7)) {
      back.push(...got.rows);
      spool.release(got.from, got.rows.length);
    }
    expect(back).toEqual(rows);
    expect(spool.bytes).toBe(0);
    await spool.close();
  });

  it("refuses what would pass maxBytes, and rows JSON cannot express", async () => {
    const spool = new LogSpool({ dir: freshDir(), maxBytes: 1500 });
    const results = makeRows(10).map((row) => spool.offer(row));
    expect(results.filter((r) => r === undefined).length).toBeGreaterThan(0);
    expect(results.at(-1)).toBe("queue_full");
    expect(spool.offer({ ...makeRows(1)[0]!, metadata: { n: 1n } as unknown as Record<string, unknown> })).toBe("write_failed");
    await spool.close();
  });
});

describe("LogWriter with a spool", () => {
  it("sends rows past the memory queue to disk, then writes them all once the store is back and removes the files", async () => {
    const dir = freshDir();
    const store = new FlakyStore();
    store.down = true;
    const { writer, dropped } = writerFor(store, dir);
    const rows = makeRows(200);
    for (const row of rows) writer.enqueue(row);
    expect(writer.depth).toBe(10);
    expect(writer.spoolBytes).toBeGreaterThan(0);
    await vi.waitFor(() => expect(spoolFiles(dir).length).toBeGreaterThan(0));
    // Rows may hold bodies: the files are the gateway user's alone.
    expect(statSync(join(dir, spoolFiles(dir)[0]!)).mode & 0o777).toBe(0o600);
    expect(writer.writable).toBe(false);

    store.down = false;
    await writer.flush();
    expect(dropped).toEqual([]);
    expect(writer.written).toBe(200);
    expect((await store.ids()).sort()).toEqual(rows.map((r) => r.id));
    expect(writer.spoolBytes).toBe(0);
    expect(writer.writable).toBe(true);
    await vi.waitFor(() => expect(spoolFiles(dir)).toEqual([]));
    await writer.close();
  });

  it("drops (and counts) only what fits neither in memory nor in the spool", async () => {
    const dir = freshDir();
    const store = new FlakyStore();
    store.down = true;
    const { writer, dropped } = writerFor(store, dir, { spool: { dir, maxBytes: 4000 } });
    const rows = makeRows(60);
    for (const row of rows) writer.enqueue(row);
    const full = dropped.filter(([, r]) => r === "queue_full").length;
    expect(full).toBeGreaterThan(0);
    expect(dropped.every(([n, r]) => n === 1 && r === "queue_full")).toBe(true);

    store.down = false;
    await writer.flush();
    expect(writer.written + writer.dropped).toBe(60);
    expect(writer.written).toBeGreaterThan(10);
    expect((await store.ids()).length).toBe(writer.written);
    await writer.close();
  });

  it("close() with the store down spools what is in memory; a writer opened on the directory later replays it and deletes it", async () => {
    const dir = freshDir();
    const store = new FlakyStore();
    store.down = true;
    const { writer, dropped } = writerFor(store, dir, { maxQueue: 50 });
    const rows = makeRows(80);
    for (const row of rows) writer.enqueue(row);
    await writer.close();
    expect(dropped).toEqual([]);
    expect(writer.written).toBe(0);
    expect(spoolFiles(dir).length).toBeGreaterThan(0);

    const next = new FlakyStore();
    const again = writerFor(next, dir);
    expect(again.writer.spoolBytes).toBeGreaterThan(0);
    await vi.waitFor(async () => expect((await next.ids()).length).toBe(80));
    expect((await next.ids()).sort()).toEqual(rows.map((r) => r.id));
    await vi.waitFor(() => expect(spoolFiles(dir)).toEqual([]));
    expect(again.dropped).toEqual([]);
    await again.writer.close();
  });

  it("with SQLite, spools at close the rows that arrived once the store refused them", async () => {
    const dir = freshDir();
    const filename = join(root, `spooled-${dirs}.db`);
    const store = new SqliteStore({ filename, busyTimeoutMs: 5 });
    await store.migrate();
    const lock = new Database(filename);
    lock.exec("begin exclusive");
    const { writer, dropped } = writerFor(store, dir, { maxQueue: 100 });
    const [first, ...rest] = makeRows(31);
    writer.enqueue(first!);
    // A loaded machine can take seconds to get SQLite's "busy" back: wait as long as the suite allows.
    await vi.waitFor(() => expect(writer.writable).toBe(false), { timeout: 15_000 });
    for (const row of rest) writer.enqueue(row);
    await writer.close();
    // The first row was already in SQLite's own encoding when the store failed: that one cannot be spooled.
    await vi.waitFor(() => expect(dropped).toEqual([[1, "write_failed"]]), { timeout: 15_000 });
    lock.exec("rollback");
    lock.close();

    const again = writerFor(store, dir);
    await vi.waitFor(async () => expect((await store.queryLogs({ limit: 100 })).data.length).toBe(30), { timeout: 15_000 });
    expect(await store.getLog(rest[29]!.id)).toEqual(rest[29]);
    await again.writer.close();
    await store.close();
  });

  it("counts rows as spool_failed when the spool cannot be written, without throwing", async () => {
    const dir = join(freshDir(), "blocked");
    mkdirSync(join(dir, ".."), { recursive: true });
    writeFileSync(dir, "not a directory");
    const store = new FlakyStore();
    store.down = true;
    const { writer, dropped } = writerFor(store, dir);
    expect(() => {
      for (const row of makeRows(40)) writer.enqueue(row);
    }).not.toThrow();
    await vi.waitFor(() => expect(dropped.some(([, r]) => r === "spool_failed")).toBe(true));
    // The spool rests after a failure: later rows are refused at once.
    writer.enqueue(makeRows(1)[0]!);
    expect(dropped.at(-1)).toEqual([1, "spool_failed"]);
    expect(writer.dropped).toBe(31);
    store.down = false;
    await writer.flush();
    expect(writer.written).toBe(10);
    await writer.close();
  });

  it("leaves another live writer's files alone, and takes over those of a process that is gone", async () => {
    const dir = freshDir();
    const downStore = new FlakyStore();
    downStore.down = true;
    const a = writerFor(downStore, dir);
    for (const row of makeRows(30)) a.writer.enqueue(row);
    await vi.waitFor(() => expect(spoolFiles(dir).length).toBeGreaterThan(0));

    // A dead process's file (its last line cut by the crash).
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host";
    const orphan = makeRows(3);
    writeFileSync(join(dir, `rows_${host}_${gone}_0badcafe_00000000.ndjson`), orphan.map((r) => JSON.stringify(r)).join("\n") + '\n{"id":"cut');

    // Another live process's file (this test runner's parent).
    const alive = join(dir, `rows_${host}_${process.ppid}_0abcdef0_00000000.ndjson`);
    writeFileSync(alive, JSON.stringify(makeRows(1)[0]) + "\n");

    const store = new FlakyStore();
    const b = writerFor(store, dir);
    await vi.waitFor(async () => expect((await store.ids()).sort()).toEqual(orphan.map((r) => r.id)));
    expect(b.dropped).toEqual([[1, "spool_failed"]]);
    expect(existsSync(alive)).toBe(true);
    // a's rows are still a's.
    expect(a.writer.spoolBytes).toBeGreaterThan(0);
    expect(spoolFiles(dir).some((f) => readFileSync(join(dir, f), "utf8").length > 0)).toBe(true);
    await b.writer.close();
    await a.writer.close();
  });
});
