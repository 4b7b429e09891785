/** RetentionJob: ages to cut-offs, no overlapping runs, errors to the callback, an unref'd timer. */
import { describe, expect, it, vi } from "vitest";
import { RetentionJob } from "../../../src/store/retention/retention-job.js";
import type { LogRetention, RetentionOptions, StripOptions } from "../../../src/store/retention/types.js";
import { makeRow } from "../log-rows.js";
import { memoryBackend } from "./retention-backends.js";

const DAY = 86_400_000;
const NOW = Date.parse("2025-06-30T12:00:00.000Z");
const daysAgo = (d: number) => new Date(NOW - d * DAY).toISOString();
const BODIES = { request_body: { q: 1 }, response_body: { a: 2 }, attempt_log: [] };

/** A retention that records its calls and can be held open. */
function recorder(impl: Partial<LogRetention> = {}) {
  const calls: { op: string; options: RetentionOptions | StripOptions }[] = [];
  const retention: LogRetention = {
    deleteOlderThan: async (options) => {
      calls.push({ op: "delete", options });
      return impl.deleteOlderThan ? impl.deleteOlderThan(options) : 0;
    },
    stripBodiesOlderThan: async (options) => {
      calls.push({ op: "strip", options });
      return impl.stripBodiesOlderThan ? impl.stripBodiesOlderThan(options) : 0;
    },
  };
  return { calls, retention };
}

describe("RetentionJob", () => {
  it("deletes old rows and strips bodies by age, on a real store", async () => {
    const b = await memoryBackend().open();
    const gone = makeRow({ created_at: daysAgo(31), ...BODIES });
    const stripped = makeRow({ created_at: daysAgo(8), ...BODIES });
    const whole = makeRow({ created_at: daysAgo(6), ...BODIES });
    await b.store.insertLogs([gone, stripped, whole]);
    const job = new RetentionJob({ retention: b.retention, rowsMaxAgeDays: 30, bodiesMaxAgeDays: 7, now: () => NOW });

    expect(await job.run()).toEqual({ deleted: 1, stripped: 1 });
    expect(await b.store.getLog(gone.id)).toBeUndefined();
    expect(await b.store.getLog(stripped.id)).toEqual({ ...stripped, request_body: null, response_body: null, attempt_log: null });
    expect(await b.store.getLog(whole.id)).toEqual(whole);
    expect(await job.run()).toEqual({ deleted: 0, stripped: 0 });
  });

  it("passes cut-offs, and walks only newly aged rows on later runs", async () => {
    const { calls, retention } = recorder();
    let now = NOW;
    const job = new RetentionJob({ retention, rowsMaxAgeDays: 30, bodiesMaxAgeDays: 7, batchSize: 100, now: () => now });
    await job.run();
    expect(calls.map((c) => [c.op, c.options.before, (c.options as StripOptions).since, c.options.batchSize])).toEqual([
      ["delete", daysAgo(30), undefined, 100],
      ["strip", daysAgo(7), daysAgo(30), 100],
    ]);
    calls.length = 0;
    now += 3_600_000;
    await job.run();
    // since = the previous body cut-off, less a 6 h overlap for rows written late.
    expect((calls[1]!.options as StripOptions).since).toBe(new Date(NOW - 7 * DAY - 6 * 3_600_000).toISOString());
  });

  it("only strips when rowsMaxAgeDays is unset, and is disabled with neither age", async () => {
    const { calls, retention } = recorder();
    await new RetentionJob({ retention, bodiesMaxAgeDays: 1, now: () => NOW }).run();
    expect(calls.map((c) => c.op)).toEqual(["strip"]);
    expect(new RetentionJob({ retention }).enabled).toBe(false);
    expect(() => new RetentionJob({ retention, rowsMaxAgeDays: 0 })).toThrow(/rowsMaxAgeDays/);
  });

  it("never overlaps runs: a second run() while one is going gets the same pass", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { calls, retention } = recorder({ deleteOlderThan: async () => { await gate; return 3; } });
    const job = new RetentionJob({ retention, rowsMaxAgeDays: 1 });
    const first = job.run();
    const second = job.run();
    expect(second).toBe(first);
    release();
    expect(await first).toEqual({ deleted: 3, stripped: 0 });
    expect(calls).toHaveLength(1);
  });

  it("reports errors through onError, still runs the other phase, and resolves", async () => {
    const boom = new Error("database is locked");
    const { retention } = recorder({ deleteOlderThan: async () => { throw boom; }, stripBodiesOlderThan: async () => 4 });
    const onError = vi.fn();
    const job = new RetentionJob({ retention, rowsMaxAgeDays: 30, bodiesMaxAgeDays: 7, onError });
    expect(await job.run()).toEqual({ deleted: 0, stripped: 4 });
    expect(onError).toHaveBeenCalledWith(boom, "delete");
  });

  it("start() runs at once and then every interval; stop() ends it; the timer does not hold the process", async () => {
    const { calls, retention } = recorder();
    const onRun = vi.fn();
    const job = new RetentionJob({ retention, rowsMaxAgeDays: 1, intervalMs: 20, onRun });
    const unref = vi.spyOn(globalThis, "setTimeout");
    job.start();
    job.start(); // idempotent
    const timer = unref.mock.results[0]?.value as NodeJS.Timeout;
    unref.mockRestore();
    expect(timer.hasRef()).toBe(false);
    await vi.waitFor(() => expect(onRun.mock.calls.length).toBeGreaterThanOrEqual(3), { timeout: 2000 });
    await job.stop();
    const runs = calls.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(calls.length).toBe(runs);
  });

  it("stop() aborts a running pass between batches and waits for it", async () => {
    let seen: AbortSignal | undefined;
    const { retention } = recorder({
      deleteOlderThan: async (options) => {
        seen = options.signal;
        while (!options.signal?.aborted) await new Promise((r) => setTimeout(r, 5));
        return 7;
      },
    });
    const job = new RetentionJob({ retention, rowsMaxAgeDays: 1, bodiesMaxAgeDays: 1 });
    job.start();
    await vi.waitFor(() => expect(seen).toBeDefined());
    await job.stop();
    expect(seen!.aborted).toBe(true);
  });
});

it("RetentionJob runs again after stop(): run() by hand, or start() anew", async () => {
  const b = await memoryBackend().open();
  const job = new RetentionJob({ retention: b.retention, rowsMaxAgeDays: 1, intervalMs: 60_000 });
  job.start();
  await job.stop();
  await b.store.insertLogs([makeRow({ created_at: "2020-01-01T00:00:00.000Z" })]);
  expect(await job.run()).toEqual({ deleted: 1, stripped: 0 });
});
