import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createStore } from "../../src/store/create-store.js";
import { sqliteFilenameFromUrl } from "../../src/store/sqlite/sqlite-store.js";
import { makeRow } from "./log-rows.js";
import { dropSchemas, PG_URL, uniqueSchema } from "./pg-test-db.js";

const dir = mkdtempSync(join(tmpdir(), "liaison-create-store-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

describe("sqliteFilenameFromUrl", () => {
  it.each([
    ["sqlite://./liaison.db", "./liaison.db"],
    ["sqlite://liaison.db", "liaison.db"],
    ["sqlite:///abs/path.db", "/abs/path.db"],
    ["sqlite://:memory:", ":memory:"],
    ["sqlite:./data/x.db", "./data/x.db"],
    ["SQLite://./x.db", "./x.db"],
  ])("%s → %s", (url, filename) => {
    expect(sqliteFilenameFromUrl(url)).toBe(filename);
  });

  it("refuses a url without a file", () => {
    expect(() => sqliteFilenameFromUrl("sqlite://")).toThrow(/names no file/);
  });
});

describe("createStore", () => {
  it("opens SQLite from an absolute sqlite:/// url, creating the directory, in WAL mode", async () => {
    const file = join(dir, "a", "b", "liaison.db");
    const store = await createStore(`sqlite://${file}`);
    try {
      expect(store.kind).toBe("sqlite");
      await store.migrate();
      const row = makeRow();
      await store.insertLogs([row]);
      expect(await store.getLog(row.id)).toEqual(row);
      expect(existsSync(file)).toBe(true);
    } finally {
      await store.close();
    }
    // journal_mode=WAL is persistent in the file, so a fresh connection sees it.
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      raw.close();
    }
  });

  it("opens an in-memory SQLite database from sqlite://:memory:", async () => {
    const store = await createStore("sqlite://:memory:");
    await store.migrate();
    await store.insertLogs([makeRow()]);
    expect((await store.queryLogs({})).data).toHaveLength(1);
    await store.close();
    await store.close(); // closing twice is harmless
  });

  it("closes a SQLite store that never ran a query", async () => {
    const store = await createStore(`sqlite://${join(dir, "unused.db")}`);
    await store.close();
  });

  it("opens the memory backend from memory:", async () => {
    const store = await createStore("memory:");
    expect(store.kind).toBe("memory");
    await store.migrate();
    await store.ping();
    await store.close();
  });

  it.each(["postgres", "postgresql"])("opens PostgreSQL from %s://, in the requested schema", async (scheme) => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const store = await createStore(PG_URL.replace(/^postgres:/, `${scheme}:`), { schema });
    try {
      expect(store.kind).toBe("postgres");
      await store.migrate();
      await store.insertLogs([makeRow()]);
      await store.ping();
    } finally {
      await store.close();
    }
  });

  it("rejects an unknown scheme, naming the url and the accepted schemes", async () => {
    await expect(createStore("mysql://root@localhost/db")).rejects.toThrow(
      /mysql:\/\/root@localhost\/db.*sqlite:\/\/.*postgres:\/\/.*postgresql:\/\/.*memory:/,
    );
    await expect(createStore("./liaison.db")).rejects.toThrow(/"\.\/liaison\.db"/);
  });

  it("does not echo a password from an unsupported url", async () => {
    const err = await createStore("mysql://root:hunter2@localhost/db").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain("hunter2");
    expect((err as Error).message).toContain("mysql://root:***@localhost/db");
  });

  it("rejects a schema name that is not a plain identifier", async () => {
    await expect(createStore(PG_URL, { schema: 'x"; drop table y; --' })).rejects.toThrow(/schema name/);
  });
});
