/**
 * One contract for stored responses, run on every backend: the memory
 * store, SQLite and the real PostgreSQL (DESIGN.md §5), each migrated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropSchemas, PG_URL, uniqueSchema } from "../../../test/store/pg-test-db.js";
import { MemoryStore } from "../memory/memory-store.js";
import { PostgresStore } from "../postgres/postgres-store.js";
import { SqliteStore } from "../sqlite/sqlite-store.js";
import type { Store } from "../types.js";
import type { ResponseStore, StoredItem, StoredResponse } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "liaison-responses-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropSchemas(schemas);
});

const BACKENDS: [string, () => Store][] = [
  ["memory", () => new MemoryStore()],
  ["sqlite", () => new SqliteStore({ filename: join(dir, `${Math.random().toString(36).slice(2)}.db`) })],
  ["postgres", () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    return new PostgresStore({ connectionString: PG_URL, schema });
  }],
];

const msg = (id: string, role: string, text: string): StoredItem =>
  ({ id, type: "message", role, content: [{ type: role === "assistant" ? "output_text" : "input_text", text }] });

function stored(id: string, owner: string, input: StoredItem[], output: StoredItem[], previous: string | null = null, at = new Date()): StoredResponse {
  return {
    id, owner, created_at: at.toISOString(), previous_response_id: previous, input,
    // Key order and a NUL a model may write come back as they were.
    response: { id, object: "response", status: "completed", output, note: "nul \u0000 kept" },
  };
}

describe.each(BACKENDS)("ResponseStore on %s", (_name, open) => {
  let store: Store;
  let responses: ResponseStore;

  beforeAll(async () => {
    store = open();
    await store.migrate();
    responses = store.responses!();
  });
  afterAll(async () => {
    await store.close();
  });

  it("keeps a response for its owner only, exactly as it was answered", async () => {
    const r = stored("resp_a1", "team_a", [msg("msg_in1", "user", "hi")], [msg("msg_out1", "assistant", "hello")]);
    await responses.save(r);
    await responses.save({ ...r, response: { ...r.response, status: "changed" } }); // a second save of the id is ignored
    const got = await responses.get("team_a", "resp_a1");
    expect(got).toEqual(r.response);
    expect(Object.keys(got!)).toEqual(Object.keys(r.response));
    expect(await responses.get("team_b", "resp_a1")).toBeUndefined();
    expect(await responses.get("team_a", "resp_nope")).toBeUndefined();
  });

  it("pages input items in either order, after a cursor", async () => {
    const input = ["a", "b", "c", "d", "e"].map((x) => msg(`msg_p${x}`, "user", x));
    await responses.save(stored("resp_p1", "team_a", input, []));
    const desc = await responses.inputItems("team_a", "resp_p1", { limit: 2, order: "desc" });
    expect(desc).toEqual({ data: [input[4], input[3]], has_more: true });
    const next = await responses.inputItems("team_a", "resp_p1", { limit: 2, order: "desc", after: "msg_pd" });
    expect(next?.data.map((i) => i.id)).toEqual(["msg_pc", "msg_pb"]);
    const asc = await responses.inputItems("team_a", "resp_p1", { limit: 10, order: "asc" });
    expect(asc).toEqual({ data: input, has_more: false });
    expect(await responses.inputItems("team_b", "resp_p1", { limit: 10, order: "asc" })).toBeUndefined();
  });

  it("walks previous_response_id back to the start of the conversation", async () => {
    await responses.save(stored("resp_c1", "team_a", [msg("msg_c1", "user", "one")], [msg("msg_c1o", "assistant", "1")]));
    await responses.save(stored("resp_c2", "team_a", [msg("msg_c2", "user", "two")], [msg("msg_c2o", "assistant", "2")], "resp_c1"));
    await responses.save(stored("resp_c3", "team_a", [msg("msg_c3", "user", "three")], [msg("msg_c3o", "assistant", "3")], "resp_c2"));
    const conv = await responses.conversation("team_a", "resp_c3");
    expect("items" in conv && conv.items.map((i) => i.id)).toEqual(["msg_c1", "msg_c1o", "msg_c2", "msg_c2o", "msg_c3", "msg_c3o"]);
    expect(await responses.conversation("team_b", "resp_c3")).toEqual({ missing: "resp_c3" });
    expect(await responses.conversation("team_a", "resp_unknown")).toEqual({ missing: "resp_unknown" });
  });

  it("reports the link that is gone when part of a chain was deleted", async () => {
    await responses.save(stored("resp_d1", "team_a", [msg("msg_d1", "user", "one")], []));
    await responses.save(stored("resp_d2", "team_a", [msg("msg_d2", "user", "two")], [], "resp_d1"));
    await responses.save(stored("resp_d3", "team_a", [msg("msg_d3", "user", "three")], [], "resp_d2"));
    expect(await responses.delete("team_b", "resp_d1")).toBe(false);
    expect(await responses.delete("team_a", "resp_d1")).toBe(true);
    expect(await responses.delete("team_a", "resp_d1")).toBe(false);
    expect(await responses.conversation("team_a", "resp_d3")).toEqual({ missing: "resp_d1" });
  });

  it("finds items by id among the owner's responses", async () => {
    await responses.save(stored("resp_i1", "team_a", [msg("msg_i1", "user", "first")], [msg("msg_shared", "assistant", "old")]));
    await responses.save(stored("resp_i2", "team_a", [msg("msg_shared", "assistant", "new")], [], null, new Date(Date.now() + 1000)));
    await responses.save(stored("resp_i3", "team_b", [msg("msg_other", "user", "theirs")], []));
    const found = await responses.items("team_a", ["msg_i1", "msg_shared", "msg_other", "msg_none"]);
    expect([...found.keys()].sort()).toEqual(["msg_i1", "msg_shared"]);
    expect(found.get("msg_shared")).toMatchObject({ content: [{ text: "new" }] });
    expect((await responses.items("team_a", [])).size).toBe(0);
  });

  it("hides what is older than `since`, and retention deletes it", async () => {
    const old = new Date(Date.now() - 10 * 86_400_000);
    await responses.save(stored("resp_o1", "team_r", [msg("msg_o1", "user", "old")], [], null, old));
    await responses.save(stored("resp_o2", "team_r", [msg("msg_o2", "user", "new")], [], "resp_o1"));
    const since = new Date(Date.now() - 86_400_000).toISOString();
    expect(await responses.get("team_r", "resp_o1", since)).toBeUndefined();
    expect(await responses.conversation("team_r", "resp_o2", since)).toEqual({ missing: "resp_o1" });
    expect((await responses.items("team_r", ["msg_o1"], since)).size).toBe(0);
    expect(await responses.deleteOlderThan(since)).toBeGreaterThanOrEqual(1);
    expect(await responses.get("team_r", "resp_o1")).toBeUndefined();
    expect((await responses.items("team_r", ["msg_o1"])).size).toBe(0);
    expect(await responses.get("team_r", "resp_o2")).toBeDefined();
  });
});
