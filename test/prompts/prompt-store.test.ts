/**
 * One contract for the prompt registry's storage, on every backend: the
 * memory store, SQLite and the real PostgreSQL (DESIGN.md §5), each
 * migrated — versions, labels, evaluation reports — and the request_logs
 * columns it adds: prompt and prompt_version kept, `?prompt=` filtering,
 * usage grouped by prompt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PromptStore, StoredPrompt } from "../../src/store/prompts/types.js";
import type { Store } from "../../src/store/types.js";
import { makeRow } from "../store/log-rows.js";
import { storeBackends } from "./store-backends.js";

const backends = storeBackends("prompt-store");
afterAll(() => backends.cleanup());

const version = (name: string, v: number, extra: Partial<StoredPrompt> = {}): StoredPrompt => ({
  name, version: v, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, v)).toISOString(), source: "api", created_by: null,
  // Key order and a NUL come back as they were.
  template: { messages: [{ role: "user", content: `v${v} {{x}} \u0000` }], model: "m", params: { temperature: 0.5 }, description: null },
  ...extra,
});

describe.each(backends.all)("prompt store on %s", (_name, make) => {
  let store: Store;
  let p: PromptStore;
  beforeAll(async () => {
    store = make();
    await store.migrate();
    p = store.prompts!();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("keeps versions: latest (also by source), get, versions and list answer from them", async () => {
    expect(await p.latest("a")).toBeUndefined();
    expect(await p.add(version("a", 1, { source: "file" }))).toBe(true);
    expect(await p.add(version("a", 2, { created_by: "key_1" }))).toBe(true);
    expect(await p.add(version("a", 2))).toBe(false); // another writer got there first
    expect(await p.add(version("b", 1))).toBe(true);
    expect(await p.latest("a")).toEqual(version("a", 2, { created_by: "key_1" }));
    expect(await p.latest("a", "file")).toEqual(version("a", 1, { source: "file" }));
    expect(await p.latest("a", "optimizer")).toBeUndefined();
    expect(await p.get("a", 1)).toEqual(version("a", 1, { source: "file" }));
    expect(await p.get("a", 3)).toBeUndefined();
    expect(await p.list()).toEqual([version("a", 2, { created_by: "key_1" }), version("b", 1)]);
    expect(await p.versions()).toEqual(new Map([["a", [1, 2]], ["b", [1]]]));
    expect(await p.versions("b")).toEqual(new Map([["b", [1]]]));
  });

  it("moves labels and deletes them", async () => {
    await p.setLabel({ name: "a", label: "production", version: 1, updated_at: "2026-01-02T00:00:00.000Z" });
    await p.setLabel({ name: "a", label: "staging", version: 2, updated_at: "2026-01-02T00:00:00.000Z" });
    await p.setLabel({ name: "a", label: "production", version: 2, updated_at: "2026-01-03T00:00:00.000Z" });
    await p.setLabel({ name: "b", label: "production", version: 1, updated_at: "2026-01-03T00:00:00.000Z" });
    expect(await p.labels("a")).toEqual([
      { name: "a", label: "production", version: 2, updated_at: "2026-01-03T00:00:00.000Z" },
      { name: "a", label: "staging", version: 2, updated_at: "2026-01-02T00:00:00.000Z" },
    ]);
    expect((await p.labels()).map((l) => `${l.name}:${l.label}`)).toEqual(["a:production", "a:staging", "b:production"]);
    expect(await p.deleteLabel("a", "staging")).toBe(true);
    expect(await p.deleteLabel("a", "staging")).toBe(false);
    expect((await p.labels("a")).map((l) => l.label)).toEqual(["production"]);
  });

  it("stores evaluation reports, newest first, a second save of an id ignored", async () => {
    const report = (id: string, at: string) => ({ id, prompt: "a", created_at: at, report: { results: [{ version: 1, mean: 0.5 }], winner: { version: 1, significant: false } } });
    await p.saveEval(report("peval_1", "2026-01-01T00:00:00.000Z"));
    await p.saveEval(report("peval_2", "2026-01-02T00:00:00.000Z"));
    await p.saveEval({ ...report("peval_1", "2026-01-05T00:00:00.000Z"), report: {} });
    await p.saveEval({ ...report("peval_3", "2026-01-03T00:00:00.000Z"), prompt: "b" });
    expect(await p.listEvals("a", 10)).toEqual([report("peval_2", "2026-01-02T00:00:00.000Z"), report("peval_1", "2026-01-01T00:00:00.000Z")]);
    expect((await p.listEvals("a", 1)).map((e) => e.id)).toEqual(["peval_2"]);
    expect(await p.listEvals("c", 10)).toEqual([]);
  });

  it("request_logs keep prompt and prompt_version; ?prompt= filters, usage groups by prompt", async () => {
    const rows = [
      makeRow({ created_at: "2026-02-01T00:00:00.001Z", prompt: "a", prompt_version: 1, latency_ms: 10 }),
      makeRow({ created_at: "2026-02-01T00:00:00.002Z", prompt: "a", prompt_version: 2, latency_ms: 30 }),
      makeRow({ created_at: "2026-02-01T00:00:00.003Z", prompt: "b", prompt_version: 1, status: 500 }),
      makeRow({ created_at: "2026-02-01T00:00:00.004Z" }),
    ];
    await store.insertLogs(rows);
    const page = await store.queryLogs({ prompt: "a" });
    expect(page.data.map((r) => [r.id, r.prompt, r.prompt_version])).toEqual([[rows[1]!.id, "a", 2], [rows[0]!.id, "a", 1]]);
    expect(await store.getLog(rows[2]!.id)).toEqual(rows[2]);
    expect((await store.getLog(rows[3]!.id))?.prompt).toBeNull();
    const usage = await store.queryUsage({ group_by: "prompt", since: "2026-02-01T00:00:00.000Z" });
    expect(usage.map((u) => [u.group, u.requests, u.errors, u.p50_ms])).toEqual([["a", 2, 0, 20], ["b", 1, 1, 120], [null, 1, 0, 120]]);
  });
});
