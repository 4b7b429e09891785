/** One behaviour suite for the three semantic indexes: memory, real Redis, real PostgreSQL. */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CacheErrorSite } from "../../src/cache/exact-store.js";
import { MemorySemanticIndex } from "../../src/cache/memory-semantic-index.js";
import { PostgresSemanticIndex, SEMANTIC_TABLE } from "../../src/cache/postgres-semantic-index.js";
import { RedisSemanticIndex } from "../../src/cache/redis-semantic-index.js";
import type { SemanticIndex } from "../../src/cache/semantic-index.js";
import { RedisTestEnv } from "../engine/health/redis-test-env.js";
import { dropSchemas, PG_URL, pgAdmin, uniqueSchema } from "../store/pg-test-db.js";
import { fakeClock } from "./helpers.js";

interface Bounds { maxEntries: number; maxEntriesPerScope: number; now: () => number; onError?: (e: unknown, site: CacheErrorSite) => void }

interface Backend {
  name: string;
  /** A new instance on the same shared state (for memory: a separate, unshared index). */
  open(bounds: Bounds): Promise<SemanticIndex>;
  shared: boolean;
  /** Entries stored for a scope, as the backend itself holds them (not a mirror). */
  stored?(scope: string): Promise<number>;
  /** Loses the shared state, as an expiry, a flush or a recreated table does. */
  wipe?(): Promise<void>;
  cleanup(): Promise<void>;
}

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

function memoryBackend(): Backend {
  return { name: "memory", shared: false, open: async (b) => new MemorySemanticIndex(b), cleanup: async () => {} };
}

function redisBackend(): Backend {
  const env = new RedisTestEnv();
  return {
    name: "redis",
    shared: true,
    open: async (b) => new RedisSemanticIndex({ redis: await env.client(), prefix: env.prefix, ...b }),
    stored: async (scope) => (await env.admin()).hlen(`${env.prefix}cache:s:{${scope}}:v`),
    wipe: async () => {
      const keys = await env.keys();
      if (keys.length) await (await env.admin()).del(...keys);
    },
    cleanup: () => env.cleanup(),
  };
}

function postgresBackend(): Backend {
  const schema = uniqueSchema();
  schemas.push(schema);
  const opened: SemanticIndex[] = [];
  return {
    name: "postgres",
    shared: true,
    open: async (b) => {
      const index = new PostgresSemanticIndex({ postgres: PG_URL, schema, pruneIntervalMs: 0, ...b });
      opened.push(index);
      return index;
    },
    // restart identity: ids start again below every mirror's cursor, the hard case.
    wipe: async () => { await pgAdmin(`truncate "${schema}".${SEMANTIC_TABLE} restart identity`); },
    stored: async (scope) => Number((await pgAdmin<{ n: string }>(`select count(*) as n from "${schema}".${SEMANTIC_TABLE} where scope = $1`, [scope])).rows[0]!.n),
    cleanup: async () => {
      await Promise.all(opened.map((i) => i.close()));
    },
  };
}

/** A unit-ish vector near axis `i` of 8 dimensions; `wobble` moves it off the axis. */
function near(i: number, wobble = 0): Float32Array {
  const v = new Float32Array(8);
  v[i] = 1;
  v[(i + 1) % 8] = wobble;
  return v;
}

for (const make of [memoryBackend, redisBackend, postgresBackend]) {
  describe(`semantic index (${make().name})`, () => {
    let backend: Backend;
    const opened: SemanticIndex[] = [];
    const open = async (b: Partial<Bounds> = {}) => {
      const index = await backend.open({ maxEntries: 100, maxEntriesPerScope: 50, now: clock.now, ...b });
      opened.push(index);
      return index;
    };
    let clock = fakeClock(Date.now());
    afterEach(async () => {
      for (const i of opened.splice(0)) await i.close();
      await backend.cleanup();
    });

    it("finds the closest entry at or above the threshold, and nothing below it", async () => {
      backend = make();
      clock = fakeClock(Date.now());
      const index = await open();
      await index.add("s", near(0), "key-0", 60_000);
      await index.add("s", near(1), "key-1", 60_000);
      await index.add("s", near(0, 0.3), "key-0b", 60_000);
      const hit = await index.search("s", near(0, 0.05), 0.9);
      expect(hit?.key).toBe("key-0");
      expect(hit!.score).toBeGreaterThan(0.99);
      expect(await index.search("s", near(0, 0.05), 0.9999)).toBeUndefined();
      expect(await index.search("s", near(4), 0.5)).toBeUndefined();
      // Not normalized input is fine: cosine, not dot product.
      expect((await index.search("s", Float32Array.from(near(1), (x) => x * 7), 0.9))?.key).toBe("key-1");
    });

    it("never matches across scopes", async () => {
      backend = make();
      clock = fakeClock(Date.now());
      const index = await open();
      await index.add("team=a:scope", near(2), "a-key", 60_000);
      expect(await index.search("team=b:scope", near(2), 0.5)).toBeUndefined();
      expect((await index.search("team=a:scope", near(2), 0.5))?.key).toBe("a-key");
    });

    it("forgets entries after their TTL (fake clock)", async () => {
      backend = make();
      clock = fakeClock(Date.now());
      const index = await open();
      await index.add("s", near(3), "short", 1_000);
      await index.add("s", near(5), "long", 60_000);
      clock.advance(999);
      expect((await index.search("s", near(3), 0.9))?.key).toBe("short");
      clock.advance(2);
      expect(await index.search("s", near(3), 0.9)).toBeUndefined();
      expect((await index.search("s", near(5), 0.9))?.key).toBe("long");
    });

    it("keeps at most max_entries_per_scope, dropping the oldest", async () => {
      backend = make();
      clock = fakeClock(Date.now());
      const index = await open({ maxEntriesPerScope: 3 });
      for (let i = 0; i < 5; i++) await index.add("s", near(i), `k${i}`, 60_000);
      for (const i of [0, 1]) expect(await index.search("s", near(i), 0.99)).toBeUndefined();
      for (const i of [2, 3, 4]) expect((await index.search("s", near(i), 0.99))?.key).toBe(`k${i}`);
      if (backend.stored) expect(await backend.stored("s")).toBe(3);
    });

    it("replaces an entry written again under the same key", async () => {
      backend = make();
      clock = fakeClock(Date.now());
      const index = await open();
      await index.add("s", near(0), "k", 60_000);
      await index.search("s", near(0), 0.9); // a shared index's mirror has now seen the old vector
      await index.add("s", near(6), "k", 60_000);
      expect((await index.search("s", near(6), 0.99))?.key).toBe("k");
    });

    it("skips vectors of another dimension (the embedding model changed)", async () => {
      backend = make();
      clock = fakeClock(Date.now());
      const index = await open();
      await index.add("s", new Float32Array([1, 0, 0]), "old-model", 60_000);
      expect(await index.search("s", near(0), 0.1)).toBeUndefined();
    });

    if (make().name === "memory") {
      it("bounds the total across scopes, evicting the oldest", async () => {
        backend = make();
        clock = fakeClock(Date.now());
        const index = (await open({ maxEntries: 4, maxEntriesPerScope: 4 })) as MemorySemanticIndex;
        for (let i = 0; i < 6; i++) await index.add(`scope-${i}`, near(i), `k${i}`, 60_000);
        expect(index.size).toBe(4);
        expect(await index.search("scope-0", near(0), 0.9)).toBeUndefined();
        expect(await index.search("scope-1", near(1), 0.9)).toBeUndefined();
        expect((await index.search("scope-5", near(5), 0.9))?.key).toBe("k5");
      });
    }

    if (make().shared) {
      it("shares entries between instances, including ones added after the first search", async () => {
        backend = make();
        clock = fakeClock(Date.now());
        const a = await open();
        const b = await open();
        await a.add("s", near(0), "k0", 60_000);
        expect((await b.search("s", near(0), 0.9))?.key).toBe("k0");
        await a.add("s", near(1), "k1", 60_000);
        expect((await b.search("s", near(1), 0.9))?.key).toBe("k1");
        expect((await b.search("s", near(0), 0.9))?.key).toBe("k0");
      });

      it("starts over when the shared scope disappears (expired or flushed)", async () => {
        backend = make();
        clock = fakeClock(Date.now());
        const a = await open();
        await a.add("s", near(0), "k0", 60_000);
        expect((await a.search("s", near(0), 0.9))?.key).toBe("k0");
        await a.add("s", near(1), "k1", 60_000);
        await backend.wipe!();
        const b = await open();
        await b.add("s", near(2), "fresh", 60_000);
        // a's mirror had seen two entries; the new state has one, numbered from the start again.
        expect((await a.search("s", near(2), 0.9))?.key).toBe("fresh");
        expect(await a.search("s", near(0), 0.9)).toBeUndefined();
      });

      it("bounds the shared table or keys", async () => {
        backend = make();
        clock = fakeClock(Date.now());
        const index = await open({ maxEntries: 4, maxEntriesPerScope: 2 });
        for (let i = 0; i < 6; i++) await index.add(`scope-${i % 3}`, near(i), `k${i}`, 60_000);
        let total = 0;
        for (let s = 0; s < 3; s++) total += await backend.stored!(`scope-${s}`);
        expect(total).toBeLessThanOrEqual(backend.name === "postgres" ? 4 : 6);
        for (let s = 0; s < 3; s++) expect(await backend.stored!(`scope-${s}`)).toBeLessThanOrEqual(2);
      });
    }
  });
}

describe("shared semantic indexes that are down", () => {
  it("Redis (closed port): no hit, no throw, quickly", async () => {
    const errors: CacheErrorSite[] = [];
    const index = new RedisSemanticIndex({ redis: "redis://127.0.0.1:1", prefix: "liaison-test:down:", maxEntries: 10, maxEntriesPerScope: 10, onError: (_e, s) => errors.push(s) });
    const started = performance.now();
    await index.add("s", near(0), "k", 1_000);
    expect(await index.search("s", near(0), 0.5)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
    expect(errors).toEqual(["semantic-add", "semantic-search"]);
    await index.close();
  });

  it("PostgreSQL (closed port): no hit, no throw, within the deadline", async () => {
    const errors: CacheErrorSite[] = [];
    const index = new PostgresSemanticIndex({ postgres: "postgres://postgres@127.0.0.1:1/test", maxEntries: 10, maxEntriesPerScope: 10, timeoutMs: 500, onError: (_e, s) => errors.push(s) });
    const started = performance.now();
    await index.add("s", near(0), "k", 1_000);
    expect(await index.search("s", near(0), 0.5)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(errors).toEqual(["semantic-add", "semantic-search"]);
    await index.close();
  });
});
