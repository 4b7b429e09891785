/** One KeyStore contract, run against memory, SQLite (a temp file) and PostgreSQL (a throwaway schema). */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DuplicateError, type ApiKeyRecord, type KeyStore, type TeamRecord } from "../../src/store/keys/types.js";
import { keyBackends } from "./store-backends.js";

const backends = keyBackends();
afterAll(() => backends.cleanup());

function team(over: Partial<TeamRecord> = {}): TeamRecord {
  return {
    id: "team_1", name: "search", models: ["gpt-4o*", "claude-*"], mcp_tools: ["github__*"], rpm: 600, tpm: 100_000, max_parallel: 8,
    budget_usd: 12.5, budget_period: "monthly", metadata: { cost_center: "42", tags: ["a", { b: 1 }] },
    created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z", ...over,
  };
}

function key(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: "key_1", name: "ci", team_id: null, role: "member", key_prefix: "lsk_AbCdEf12", key_hash: "a".repeat(64),
    models: null, mcp_tools: null, rpm: null, tpm: null, max_parallel: null, budget_usd: null, budget_period: null, metadata: null,
    expires_at: null, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z",
    revoked_at: null, last_used_at: null, ...over,
  };
}

for (const backend of backends.all) {
  describe(`KeyStore contract: ${backend.name}`, () => {
    const closers: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
    });
    const open = async (): Promise<KeyStore> => {
      const h = await backend.open();
      closers.push(h.close);
      return h.keys;
    };

    it("stores a team with every field and reads it back unchanged", async () => {
      const s = await open();
      const t = team();
      expect(await s.createTeam(t)).toEqual(t);
      expect(await s.getTeam(t.id)).toEqual(t);
      expect(await s.getTeam("team_missing")).toBeUndefined();
    });

    it("refuses a second team with the same name", async () => {
      const s = await open();
      await s.createTeam(team());
      const err = await s.createTeam(team({ id: "team_2" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateError);
      expect((err as DuplicateError).field).toBe("name");
      expect(await s.listTeams()).toHaveLength(1);
    });

    it("lists teams oldest first and updates only the fields given", async () => {
      const s = await open();
      await s.createTeam(team({ id: "team_b", name: "b", created_at: "2025-01-02T00:00:00.000Z" }));
      await s.createTeam(team({ id: "team_a", name: "a", created_at: "2025-01-01T00:00:00.000Z" }));
      expect((await s.listTeams()).map((t) => t.id)).toEqual(["team_a", "team_b"]);

      const updated = await s.updateTeam("team_a", { rpm: null, budget_usd: 3, metadata: { x: 1 }, updated_at: "2025-02-01T00:00:00.000Z" });
      expect(updated).toEqual({ ...team({ id: "team_a", name: "a" }), rpm: null, budget_usd: 3, metadata: { x: 1 }, updated_at: "2025-02-01T00:00:00.000Z" });
      expect(await s.updateTeam("team_missing", { rpm: 1, updated_at: "2025-02-01T00:00:00.000Z" })).toBeUndefined();
      const clash = await s.updateTeam("team_a", { name: "b", updated_at: "2025-02-01T00:00:00.000Z" }).catch((e: unknown) => e);
      expect(clash).toBeInstanceOf(DuplicateError);
      expect((await s.getTeam("team_a"))!.name).toBe("a");
    });

    it("stores a key, finds it by hash, and refuses a duplicate hash", async () => {
      const s = await open();
      await s.createTeam(team());
      const k = key({ team_id: "team_1", role: "manager", models: ["gpt-4o"], rpm: 60, budget_usd: 0.25, budget_period: "daily",
        metadata: { env: "ci" }, expires_at: "2030-01-01T00:00:00.000Z" });
      expect(await s.createKey(k)).toEqual(k);
      expect(await s.getKey(k.id)).toEqual(k);
      expect(await s.findKeyByHash(k.key_hash)).toEqual(k);
      expect(await s.findKeyByHash("b".repeat(64))).toBeUndefined();
      const err = await s.createKey(key({ id: "key_2" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DuplicateError);
      expect((err as DuplicateError).field).toBe("key_hash");
    });

    it("lists keys, all or one team's, oldest first", async () => {
      const s = await open();
      await s.createTeam(team());
      await s.createKey(key({ id: "key_c", key_hash: "c".repeat(64), created_at: "2025-01-03T00:00:00.000Z" }));
      await s.createKey(key({ id: "key_a", key_hash: "d".repeat(64), team_id: "team_1", created_at: "2025-01-01T00:00:00.000Z" }));
      await s.createKey(key({ id: "key_b", key_hash: "e".repeat(64), team_id: "team_1", created_at: "2025-01-02T00:00:00.000Z" }));
      expect((await s.listKeys()).map((k) => k.id)).toEqual(["key_a", "key_b", "key_c"]);
      expect((await s.listKeys({ team_id: "team_1" })).map((k) => k.id)).toEqual(["key_a", "key_b"]);
      expect(await s.listKeys({ team_id: "team_none" })).toEqual([]);
    });

    it("updates a key partially, revokes it once, and ignores unknown ids", async () => {
      const s = await open();
      await s.createKey(key({ rpm: 10, models: ["a"] }));
      const updated = await s.updateKey("key_1", { name: "renamed", rpm: null, models: ["b", "c*"], role: "viewer", updated_at: "2025-03-01T00:00:00.000Z" });
      expect(updated).toMatchObject({ name: "renamed", rpm: null, models: ["b", "c*"], role: "viewer", updated_at: "2025-03-01T00:00:00.000Z", key_hash: "a".repeat(64) });
      expect(await s.updateKey("key_missing", { name: "x", updated_at: "2025-03-01T00:00:00.000Z" })).toBeUndefined();

      expect((await s.revokeKey("key_1", "2025-04-01T00:00:00.000Z"))!.revoked_at).toBe("2025-04-01T00:00:00.000Z");
      expect((await s.revokeKey("key_1", "2025-05-01T00:00:00.000Z"))!.revoked_at).toBe("2025-04-01T00:00:00.000Z");
      expect(await s.revokeKey("key_missing", "2025-05-01T00:00:00.000Z")).toBeUndefined();
      expect((await s.findKeyByHash("a".repeat(64)))!.revoked_at).toBe("2025-04-01T00:00:00.000Z");
    });

    it("stores mcp_tools, an empty list apart from none, and updates or clears it", async () => {
      const s = await open();
      await s.createTeam(team({ mcp_tools: [] }));
      expect((await s.getTeam("team_1"))!.mcp_tools).toEqual([]);
      await s.createKey(key({ mcp_tools: ["docs__*", "web__search"] }));
      expect((await s.getKey("key_1"))!.mcp_tools).toEqual(["docs__*", "web__search"]);
      expect((await s.updateKey("key_1", { mcp_tools: ["docs__echo"], updated_at: "2025-03-01T00:00:00.000Z" }))!.mcp_tools).toEqual(["docs__echo"]);
      expect((await s.updateKey("key_1", { name: "other", updated_at: "2025-03-02T00:00:00.000Z" }))!.mcp_tools).toEqual(["docs__echo"]);
      expect((await s.updateKey("key_1", { mcp_tools: null, updated_at: "2025-03-03T00:00:00.000Z" }))!.mcp_tools).toBeNull();
      expect((await s.updateTeam("team_1", { mcp_tools: ["a__*"], updated_at: "2025-03-03T00:00:00.000Z" }))!.mcp_tools).toEqual(["a__*"]);
    });

    it("touches last_used_at in batches, never moving it backwards", async () => {
      const s = await open();
      await s.createKey(key());
      await s.createKey(key({ id: "key_2", key_hash: "f".repeat(64) }));
      await s.touchKeys([]);
      await s.touchKeys([{ id: "key_1", at: "2025-06-01T00:00:00.123Z" }, { id: "key_2", at: "2025-06-02T00:00:00.000Z" }, { id: "key_missing", at: "2025-06-01T00:00:00.000Z" }]);
      await s.touchKeys([{ id: "key_1", at: "2025-05-01T00:00:00.000Z" }]);
      expect((await s.getKey("key_1"))!.last_used_at).toBe("2025-06-01T00:00:00.123Z");
      expect((await s.getKey("key_2"))!.last_used_at).toBe("2025-06-02T00:00:00.000Z");
    });

    it("hands out copies: changing a returned record changes nothing stored", async () => {
      const s = await open();
      const created = await s.createKey(key({ models: ["a"], metadata: { n: 1 } }));
      created.models!.push("b");
      (created.metadata as { n: number }).n = 2;
      const got = (await s.getKey("key_1"))!;
      expect(got.models).toEqual(["a"]);
      expect(got.metadata).toEqual({ n: 1 });
    });
  });
}
