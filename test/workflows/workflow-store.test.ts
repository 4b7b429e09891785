/**
 * One contract for stored workflows and runs, on every backend: the memory
 * store, SQLite and the real PostgreSQL (DESIGN.md §5), each migrated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/types.js";
import type { StoredRun, StoredWorkflow, WorkflowStore } from "../../src/store/workflows/types.js";
import { storeBackends } from "../prompts/store-backends.js";

const backends = storeBackends("workflows");
afterAll(() => backends.cleanup());
const BACKENDS = backends.all;

const wf = (name: string, version: number, extra: Partial<StoredWorkflow> = {}): StoredWorkflow => ({
  name, version, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(), source: "upload", created_by: null,
  // Key order and a NUL come back as they were.
  definition: { name, steps: [{ id: "a", model: "m", prompt: `v${version} \u0000` }], description: "d" },
  ...extra,
});
const run = (id: string, at: string, extra: Partial<StoredRun> = {}): StoredRun => ({
  id, workflow: "w", version: 1, created_at: at, status: "succeeded", key_id: "k1", team_id: "t1",
  record: { id, status: "succeeded", steps: [{ id: "a", output: { nested: [1, "two"] } }], cost_usd: 0.25 }, ...extra,
});

describe.each(BACKENDS)("workflow store on %s", (_name, make) => {
  let store: Store;
  let w: WorkflowStore;
  beforeAll(async () => {
    store = make();
    await store.migrate();
    w = store.workflows!();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("keeps versions; latest, get, versions and list answer from them", async () => {
    expect(await w.latest("w")).toBeUndefined();
    expect(await w.add(wf("w", 1))).toBe(true);
    expect(await w.add(wf("w", 2, { source: "file", created_by: "key_1" }))).toBe(true);
    expect(await w.add(wf("w", 2))).toBe(false); // another writer got there first
    expect(await w.add(wf("other", 1))).toBe(true);
    expect(await w.latest("w")).toEqual(wf("w", 2, { source: "file", created_by: "key_1" }));
    expect(JSON.stringify((await w.get("w", 1))!.definition)).toBe(JSON.stringify(wf("w", 1).definition));
    expect(await w.get("w", 3)).toBeUndefined();
    expect(await w.versions("w")).toEqual([1, 2]);
    expect(await w.versions("none")).toEqual([]);
    expect((await w.list()).map((x) => [x.name, x.version])).toEqual([["other", 1], ["w", 2]]);
  });

  it("stores runs once, lists them newest first by keyset, filters, and deletes old ones", async () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 2, 0, 0, s)).toISOString();
    await w.saveRun(run("r1", t(1)));
    await w.saveRun(run("r2", t(2), { status: "failed", key_id: "k2", team_id: null }));
    await w.saveRun(run("r3", t(2)));
    await w.saveRun(run("r4", t(3), { workflow: "other" }));
    await w.saveRun(run("r1", t(9), { status: "failed" })); // ignored: same id
    expect(await w.getRun("r1")).toEqual(run("r1", t(1)));
    expect(await w.getRun("nope")).toBeUndefined();
    const ids = async (q: Partial<Parameters<WorkflowStore["listRuns"]>[0]>) => (await w.listRuns({ workflow: "w", limit: 10, ...q })).map((r) => r.id);
    expect(await ids({})).toEqual(["r3", "r2", "r1"]);
    expect(await ids({ limit: 2 })).toEqual(["r3", "r2"]);
    expect(await ids({ after: { created_at: t(2), id: "r2" } })).toEqual(["r1"]);
    expect(await ids({ after: { created_at: t(2), id: "r3" } })).toEqual(["r2", "r1"]);
    expect(await ids({ since: t(2) })).toEqual(["r3", "r2"]);
    expect(await ids({ key_id: "k2" })).toEqual(["r2"]);
    expect(await ids({ team_id: "t1" })).toEqual(["r3", "r1"]);
    expect(await ids({ status: "failed" })).toEqual(["r2"]);
    expect(await w.deleteRunsOlderThan(t(2))).toBe(1);
    expect(await ids({})).toEqual(["r3", "r2"]);
  });
});
