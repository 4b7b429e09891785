/** Retention on every backend: the same expectations for memory, SQLite and PostgreSQL. */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogRow } from "../../../src/store/types.js";
import { makeRow, makeRows } from "../log-rows.js";
import { memoryBackend, postgresBackend, sqliteBackend, type BackendFactory, type RetentionBackend } from "./retention-backends.js";

const CUT = "2025-03-01T00:00:00.000Z";
const at = (offsetMs: number) => new Date(Date.parse(CUT) + offsetMs).toISOString();
const BODIES = {
  request_body: { messages: [{ role: "user", content: "hi" }] },
  response_body: { choices: [{ message: { content: "hello" } }] },
  attempt_log: [{ provider: "openai", model: "gpt-4o", status: 200, latency_ms: 5, error: null }],
};

async function allIds(b: RetentionBackend): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await b.store.queryLogs({ limit: 1000, ...(cursor ? { cursor } : {}) });
    ids.push(...page.data.map((r) => r.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return ids.sort();
}

const ids = (rows: LogRow[]) => rows.map((r) => r.id).sort();

for (const factory of [memoryBackend(), sqliteBackend(), postgresBackend()] satisfies BackendFactory[]) {
  describe(`retention (${factory.name})`, () => {
    let b: RetentionBackend;
    beforeEach(async () => {
      b = await factory.open();
    });
    afterEach(() => b.close());
    afterAll(() => factory.cleanup());

    it("deletes rows strictly older than the cut-off and keeps the rest", async () => {
      const older = [makeRow({ created_at: at(-86_400_000) }), makeRow({ created_at: at(-1) })];
      const kept = [makeRow({ created_at: at(0) }), makeRow({ created_at: at(1) }), makeRow({ created_at: at(86_400_000) })];
      await b.store.insertLogs([...kept, ...older]);

      expect(await b.retention.deleteOlderThan({ before: CUT })).toBe(2);
      expect(await allIds(b)).toEqual(ids(kept));
      for (const row of older) expect(await b.store.getLog(row.id)).toBeUndefined();
      expect(await b.retention.deleteOlderThan({ before: CUT })).toBe(0);
    });

    it("deletes in batches smaller than the data, including an exact multiple of the batch", async () => {
      const old = makeRows(23, at(-60_000));
      const fresh = makeRows(4, at(0));
      await b.store.insertLogs([...old, ...fresh]);
      expect(await b.retention.deleteOlderThan({ before: CUT, batchSize: 5 })).toBe(23);
      expect(await allIds(b)).toEqual(ids(fresh));

      await b.store.insertLogs(makeRows(20, at(-60_000)));
      expect(await b.retention.deleteOlderThan({ before: CUT, batchSize: 5 })).toBe(20);
      expect(await allIds(b)).toEqual(ids(fresh));
    });

    it("stops between batches once aborted", async () => {
      await b.store.insertLogs(makeRows(10, at(-60_000)));
      const abort = new AbortController();
      abort.abort();
      expect(await b.retention.deleteOlderThan({ before: CUT, batchSize: 2, signal: abort.signal })).toBe(0);
      expect(await allIds(b)).toHaveLength(10);
    });

    it("strips bodies and the attempt log of old rows but keeps the rows", async () => {
      const old = [makeRow({ created_at: at(-3_600_000), ...BODIES, metadata: { team: "a" } }), makeRow({ created_at: at(-1), ...BODIES })];
      const bare = makeRow({ created_at: at(-5) }); // nothing to strip: not counted
      const fresh = makeRow({ created_at: at(0), ...BODIES });
      await b.store.insertLogs([...old, bare, fresh]);

      expect(await b.retention.stripBodiesOlderThan({ before: CUT })).toBe(2);
      for (const row of old) {
        expect(await b.store.getLog(row.id)).toEqual({ ...row, request_body: null, response_body: null, attempt_log: null });
      }
      expect(await b.store.getLog(fresh.id)).toEqual(fresh);
      expect(await allIds(b)).toHaveLength(4);
      expect(await b.retention.stripBodiesOlderThan({ before: CUT })).toBe(0);
    });

    it("strips in batches across rows sharing one timestamp, and honours since", async () => {
      // Same created_at: the keyset must move on by id, not skip or repeat rows.
      const same = makeRows(12, at(-1000)).map((r) => ({ ...r, created_at: at(-1000), ...BODIES }));
      const older = makeRow({ created_at: at(-86_400_000), ...BODIES });
      await b.store.insertLogs([...same, older]);

      expect(await b.retention.stripBodiesOlderThan({ before: CUT, since: at(-3_600_000), batchSize: 5 })).toBe(12);
      for (const row of same) expect((await b.store.getLog(row.id))?.request_body).toBeNull();
      expect(await b.store.getLog(older.id)).toEqual(older); // below since: untouched
      expect(await b.retention.stripBodiesOlderThan({ before: CUT, batchSize: 5 })).toBe(1);
    });

    it("walks past whole batches with nothing to strip", async () => {
      const bare = makeRows(12, at(-60_000));
      const withBodies = makeRows(3, at(-30_000)).map((r) => ({ ...r, ...BODIES }));
      await b.store.insertLogs([...bare, ...withBodies]);
      expect(await b.retention.stripBodiesOlderThan({ before: CUT, batchSize: 5 })).toBe(3);
      for (const row of withBodies) expect((await b.store.getLog(row.id))?.response_body).toBeNull();
    });

    it("rejects a bad cut-off or batch size", async () => {
      await expect(b.retention.deleteOlderThan({ before: "yesterday" })).rejects.toThrow(/before/);
      await expect(b.retention.stripBodiesOlderThan({ before: CUT, batchSize: 0 })).rejects.toThrow(/batchSize/);
    });
  });
}
