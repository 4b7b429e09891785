/**
 * The Store contract, as one suite any backend runs (see contract.test.ts).
 * A backend passes by behaving exactly like the others; nothing here knows
 * which engine it is talking to.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { LogRow, LogSummary, Store } from "../../src/store/types.js";
import { makeRow, makeRows } from "./log-rows.js";

export interface StoreHandle {
  /** Migrated and empty. */
  store: Store;
  /** Another Store on the same database (a second process starting up). */
  reopen(): Promise<Store>;
}

export interface StoreBackend {
  name: string;
  /** A fresh, isolated database each call. */
  open(): Promise<StoreHandle>;
}

function summary(row: LogRow): LogSummary {
  const copy: Partial<LogRow> = { ...row };
  delete copy.request_body;
  delete copy.response_body;
  delete copy.attempt_log;
  return copy as LogSummary;
}

async function allPages(store: Store, query: Parameters<Store["queryLogs"]>[0]): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.queryLogs({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    pages += 1;
    ids.push(...page.data.map((r) => r.id));
    cursor = page.next_cursor ?? undefined;
    if (pages > 100) throw new Error("pagination does not terminate");
  } while (cursor !== undefined);
  return { ids, pages };
}

/** Newest first, ties broken by id descending: the order every backend must produce. */
function newestFirst(rows: LogRow[]): string[] {
  return [...rows]
    .sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
    .map((r) => r.id);
}

export function storeContract(backend: StoreBackend): void {
  describe(`Store contract: ${backend.name}`, () => {
    const opened: Store[] = [];
    const open = async (): Promise<StoreHandle> => {
      const handle = await backend.open();
      opened.push(handle.store);
      return {
        store: handle.store,
        reopen: async () => {
          const again = await handle.reopen();
          opened.push(again);
          return again;
        },
      };
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it("migrates idempotently, also from a second instance", async () => {
      const { store, reopen } = await open();
      await store.migrate();
      await store.migrate();
      const second = await reopen();
      await second.migrate();
      const row = makeRow();
      await second.insertLogs([row]);
      expect(await store.getLog(row.id)).toEqual(row);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("round-trips every field, JSON bodies and unicode included", async () => {
      const { store } = await open();
      const full = makeRow({
        created_at: "2025-03-04T05:06:07.089Z",
        endpoint: "/v1/messages",
        model: "smart ✨",
        provider: "anthropic",
        upstream_model: "claude-sonnet-4-5",
        status: 502,
        error_code: "upstream_error",
        latency_ms: 1234.5,
        ttft_ms: 87,
        attempts: 3,
        prompt_tokens: 1_000_000,
        completion_tokens: 0,
        cost_usd: 0.123456789012,
        cache: "semantic-hit",
        cache_saved_usd: 0.000987654321,
        key_id: "key_ünïcode",
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        stream: true,
        metadata: { team: "研究", tags: ["a", "b"], nested: { n: 1, ok: true, none: null } },
        request_body: {
          model: "smart",
          messages: [{ role: "user", content: "héllo 👋🏽 世界 مرحبا \"quoted\" \\ back\nslash" }],
          temperature: 0.7,
        },
        response_body: [{ choice: 0 }, "text", 42, null, false],
        attempt_log: [{ provider: "p", model: "m", status: 502, latency_ms: 3.5, error: "boom ✓", next: "retry" }, { provider: "q", model: "n", status: 200, latency_ms: 1, error: null }],
      });
      const sparse = makeRow({
        model: null,
        provider: null,
        upstream_model: null,
        error_code: null,
        ttft_ms: null,
        prompt_tokens: null,
        completion_tokens: null,
        cost_usd: null,
        cache: null,
        key_id: null,
        trace_id: null,
        stream: false,
        metadata: null,
        request_body: null,
        response_body: null,
      });
      const scalars = makeRow({ metadata: {}, request_body: "just a string", response_body: 0 });
      await store.insertLogs([full, sparse, scalars]);

      expect(await store.getLog(full.id)).toEqual(full);
      expect(await store.getLog(sparse.id)).toEqual(sparse);
      expect(await store.getLog(scalars.id)).toEqual(scalars);
      expect(await store.getLog("req_does_not_exist")).toBeUndefined();

      const page = await store.queryLogs({});
      const listed = page.data.find((r) => r.id === full.id);
      expect(listed).toEqual(summary(full));
      expect(listed).not.toHaveProperty("request_body");
      expect(listed).not.toHaveProperty("response_body");
      expect(listed).not.toHaveProperty("attempt_log");
    });

    it("returns created_at as canonical UTC ISO whatever offset was written", async () => {
      const { store } = await open();
      const row = makeRow({ created_at: "2025-06-01T12:00:00+02:00" });
      await store.insertLogs([row]);
      expect((await store.getLog(row.id))?.created_at).toBe("2025-06-01T10:00:00.000Z");
    });

    it("accepts characters PostgreSQL cannot store verbatim (NUL, lone surrogates)", async () => {
      const { store } = await open();
      const row = makeRow({ model: "a\u0000b", request_body: { text: "x\u0000y \uD800 z" }, metadata: { k: "\uDFFF" } });
      await store.insertLogs([row]);
      const back = await store.getLog(row.id);
      expect(back?.id).toBe(row.id);
      expect(back?.status).toBe(200);
    });

    it("ignores a row whose id is already stored, so a retried batch cannot fail forever", async () => {
      const { store } = await open();
      const row = makeRow({ status: 200 });
      await store.insertLogs([row]);
      const fresh = makeRow();
      await store.insertLogs([{ ...row, status: 500 }, fresh]);
      expect((await store.getLog(row.id))?.status).toBe(200);
      expect(await store.getLog(fresh.id)).toEqual(fresh);
      await store.insertLogs([]);
    });

    it("writes a large batch (several INSERT chunks) in one call", async () => {
      const { store } = await open();
      const rows = makeRows(2500);
      await store.insertLogs(rows);
      const { ids } = await allPages(store, { limit: 1000 });
      expect(ids).toEqual(newestFirst(rows));
    });

    it("lists newest first, ties broken by id descending", async () => {
      const { store } = await open();
      const same = "2025-02-02T00:00:00.000Z";
      const rows = [
        makeRow({ created_at: "2025-02-01T00:00:00.000Z" }),
        makeRow({ created_at: same }),
        makeRow({ created_at: "2025-02-03T00:00:00.000Z" }),
        makeRow({ created_at: same }),
        makeRow({ created_at: same }),
      ];
      await store.insertLogs([rows[3]!, rows[0]!, rows[4]!, rows[2]!, rows[1]!]);
      const page = await store.queryLogs({});
      expect(page.data.map((r) => r.id)).toEqual(newestFirst(rows));
      expect(page.data.map((r) => r.id)).toEqual([rows[2]!.id, rows[4]!.id, rows[3]!.id, rows[1]!.id, rows[0]!.id]);
      expect(page.next_cursor).toBeNull();
    });

    it("filters by model, provider, key_id and status, alone and combined", async () => {
      const { store } = await open();
      const rows = [
        makeRow({ model: "smart", provider: "openai", key_id: "key_a", status: 200 }),
        makeRow({ model: "smart", provider: "anthropic", key_id: "key_b", status: 429 }),
        makeRow({ model: "cheap", provider: "local", key_id: "key_a", status: 200 }),
        makeRow({ model: "cheap", provider: "openai", key_id: null, status: 502 }),
        makeRow({ model: null, provider: null, key_id: "key_b", status: 400 }),
      ];
      await store.insertLogs(rows);
      const ids = async (q: Parameters<Store["queryLogs"]>[0]) => (await store.queryLogs(q)).data.map((r) => r.id).sort();
      const expected = (pick: (r: LogRow) => boolean) => rows.filter(pick).map((r) => r.id).sort();

      expect(await ids({ model: "smart" })).toEqual(expected((r) => r.model === "smart"));
      expect(await ids({ provider: "openai" })).toEqual(expected((r) => r.provider === "openai"));
      expect(await ids({ key_id: "key_b" })).toEqual(expected((r) => r.key_id === "key_b"));
      expect(await ids({ status: 200 })).toEqual(expected((r) => r.status === 200));
      expect(await ids({ model: "cheap", provider: "openai" })).toEqual([rows[3]!.id]);
      expect(await ids({ key_id: "key_a", status: 200, model: "cheap" })).toEqual([rows[2]!.id]);
      expect(await ids({ model: "nope" })).toEqual([]);
    });

    it("treats since as inclusive and until as exclusive", async () => {
      const { store } = await open();
      const rows = makeRows(10, "2025-05-05T10:00:00.000Z"); // .000Z … .009Z
      await store.insertLogs(rows);
      const ids = async (q: Parameters<Store["queryLogs"]>[0]) => (await store.queryLogs(q)).data.map((r) => r.id);

      expect(await ids({ since: "2025-05-05T10:00:00.003Z" })).toEqual(newestFirst(rows.slice(3)));
      expect(await ids({ until: "2025-05-05T10:00:00.003Z" })).toEqual(newestFirst(rows.slice(0, 3)));
      expect(await ids({ since: "2025-05-05T10:00:00.002Z", until: "2025-05-05T10:00:00.005Z" })).toEqual(
        newestFirst(rows.slice(2, 5)),
      );
      // Other spellings of the same instants mean the same bounds.
      expect(await ids({ since: "2025-05-05T12:00:00.002+02:00", until: "2025-05-05T10:00:00.005000Z" })).toEqual(
        newestFirst(rows.slice(2, 5)),
      );
      expect(await ids({ since: "2025-05-05T10:00:00.009Z", until: "2025-05-05T10:00:00.009Z" })).toEqual([]);
    });

    it("paginates across pages with no duplicates or gaps, even among identical timestamps", async () => {
      const { store } = await open();
      // 25 rows over 5 instants: every page boundary falls inside a group of ties.
      const rows = Array.from({ length: 25 }, (_, i) =>
        makeRow({ created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, Math.floor(i / 5))).toISOString(), model: i % 2 ? "odd" : "even" }),
      );
      await store.insertLogs([...rows].reverse());

      const p1 = await store.queryLogs({ limit: 10 });
      expect(p1.data).toHaveLength(10);
      expect(p1.next_cursor).toEqual(expect.any(String));
      const p2 = await store.queryLogs({ limit: 10, cursor: p1.next_cursor! });
      expect(p2.data).toHaveLength(10);
      const p3 = await store.queryLogs({ limit: 10, cursor: p2.next_cursor! });
      expect(p3.data).toHaveLength(5);
      expect(p3.next_cursor).toBeNull();
      const seen = [...p1.data, ...p2.data, ...p3.data].map((r) => r.id);
      expect(new Set(seen).size).toBe(25);
      expect(seen).toEqual(newestFirst(rows));

      // An exact multiple of the limit ends without an empty extra page.
      expect(await allPages(store, { limit: 5 })).toEqual({ ids: newestFirst(rows), pages: 5 });
      // Filters and the cursor compose.
      const even = rows.filter((r) => r.model === "even");
      expect((await allPages(store, { limit: 4, model: "even" })).ids).toEqual(newestFirst(even));
      // Rows written after page 1 was read, newer than it, do not shift later pages.
      await store.insertLogs([makeRow({ created_at: "2030-01-01T00:00:00.000Z" })]);
      const p2Again = await store.queryLogs({ limit: 10, cursor: p1.next_cursor! });
      expect(p2Again.data.map((r) => r.id)).toEqual(p2.data.map((r) => r.id));
    });

    it("defaults the limit to 50 and clamps it to 1…1000", async () => {
      const { store } = await open();
      await store.insertLogs(makeRows(1005));
      expect((await store.queryLogs({})).data).toHaveLength(50);
      const max = await store.queryLogs({ limit: 5000 });
      expect(max.data).toHaveLength(1000);
      expect(max.next_cursor).not.toBeNull();
      expect((await store.queryLogs({ limit: 0 })).data).toHaveLength(1);
      expect((await store.queryLogs({ limit: -3 })).data).toHaveLength(1);
      expect((await store.queryLogs({ limit: 2.9 })).data).toHaveLength(2);
    });

    it("rejects a malformed cursor with an Error that says the cursor is invalid", async () => {
      const { store } = await open();
      await store.insertLogs(makeRows(3));
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
      for (const cursor of ["not a cursor!", "eyJ", b64({ created_at: "x" }), b64(["yesterday", "req_1"]), b64([1, 2])]) {
        const attempt = store.queryLogs({ cursor });
        await expect(attempt, cursor).rejects.toBeInstanceOf(Error);
        await expect(store.queryLogs({ cursor }), cursor).rejects.toThrow(/invalid cursor/i);
      }
    });

    it("rejects since/until that are not timestamps", async () => {
      const { store } = await open();
      await expect(store.queryLogs({ since: "last tuesday" })).rejects.toThrow(/since/);
      await expect(store.queryLogs({ until: "" })).rejects.toThrow(/until/);
    });
  });
}
