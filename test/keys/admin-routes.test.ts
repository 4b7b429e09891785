import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TeamRecord } from "../../src/store/keys/types.js";
import { ADMIN_KEY, call, startAdminApp, type AdminApp } from "./admin-app.js";

let env: AdminApp;
let teamA: TeamRecord;
let teamB: TeamRecord;
const principals: Record<string, string | undefined> = {};

beforeAll(async () => {
  env = await startAdminApp();
  teamA = await env.admin.createTeam({ name: "team-a" });
  teamB = await env.admin.createTeam({ name: "team-b" });
  let now = Date.now();
  principals.admin = ADMIN_KEY;
  principals.managerA = (await env.admin.createKey({ name: "mgr-a", team_id: teamA.id, role: "manager" })).key;
  principals.managerB = (await env.admin.createKey({ name: "mgr-b", team_id: teamB.id, role: "manager" })).key;
  principals.member = (await env.admin.createKey({ name: "member", team_id: teamA.id, role: "member" })).key;
  principals.viewer = (await env.admin.createKey({ name: "viewer", team_id: teamA.id, role: "viewer" })).key;
  principals.none = undefined;
  principals.garbage = "lsk_notakey";
  const revoked = await env.admin.createKey({ name: "revoked", team_id: teamA.id, role: "manager" });
  await env.admin.revokeKey(revoked.record.id);
  principals.revoked = revoked.key;
  now = Date.now();
  const expiring = await env.admin.createKey({ name: "expired", team_id: teamA.id, role: "manager", expires_at: new Date(now + 300).toISOString() });
  principals.expired = expiring.key;
  await new Promise((r) => setTimeout(r, 350));
});
afterAll(() => env.close());

type Route = { name: string; method: string; path: () => Promise<string>; body?: () => unknown };

/** A fresh team-A key per request, so revoking or editing one never affects the next row. */
const freshKey = async () => `/admin/keys/${(await env.admin.createKey({ name: "target", team_id: teamA.id })).record.id}`;
let teamNames = 0;

const routes: Route[] = [
  { name: "POST /admin/keys (team A)", method: "POST", path: async () => "/admin/keys", body: () => ({ name: "new", team_id: teamA.id }) },
  { name: "GET /admin/keys", method: "GET", path: async () => "/admin/keys" },
  { name: "GET /admin/keys/{id} (team A)", method: "GET", path: freshKey },
  { name: "PATCH /admin/keys/{id} (team A)", method: "PATCH", path: freshKey, body: () => ({ rpm: 5 }) },
  { name: "DELETE /admin/keys/{id} (team A)", method: "DELETE", path: freshKey },
  { name: "POST /admin/teams", method: "POST", path: async () => "/admin/teams", body: () => ({ name: `t-${++teamNames}` }) },
  { name: "GET /admin/teams", method: "GET", path: async () => "/admin/teams" },
  { name: "GET /admin/teams/{id} (team A)", method: "GET", path: async () => `/admin/teams/${teamA.id}` },
  { name: "PATCH /admin/teams/{id} (team A)", method: "PATCH", path: async () => `/admin/teams/${teamA.id}`, body: () => ({ tpm: 1000 }) },
];

//                                    admin managerA managerB member viewer none garbage revoked expired
const EXPECTED: Record<string, number[]> = {
  "POST /admin/keys (team A)":        [201, 201, 403, 403, 403, 401, 401, 401, 401],
  "GET /admin/keys":                  [200, 200, 200, 403, 403, 401, 401, 401, 401],
  "GET /admin/keys/{id} (team A)":    [200, 200, 403, 403, 403, 401, 401, 401, 401],
  "PATCH /admin/keys/{id} (team A)":  [200, 200, 403, 403, 403, 401, 401, 401, 401],
  "DELETE /admin/keys/{id} (team A)": [200, 200, 403, 403, 403, 401, 401, 401, 401],
  "POST /admin/teams":                [201, 403, 403, 403, 403, 401, 401, 401, 401],
  "GET /admin/teams":                 [200, 200, 200, 403, 403, 401, 401, 401, 401],
  "GET /admin/teams/{id} (team A)":   [200, 200, 403, 403, 403, 401, 401, 401, 401],
  "PATCH /admin/teams/{id} (team A)": [200, 403, 403, 403, 403, 401, 401, 401, 401],
};
const WHO = ["admin", "managerA", "managerB", "member", "viewer", "none", "garbage", "revoked", "expired"];

describe("every role against every admin route", () => {
  for (const route of routes) {
    it(route.name, async () => {
      const got: number[] = [];
      for (const who of WHO) {
        const res = await call(env.url, principals[who], route.method, await route.path(), route.body?.());
        got.push(res.status);
        if (res.status >= 400) {
          expect(res.body.error).toMatchObject({ type: res.status === 401 ? "authentication_error" : "permission_error" });
        }
      }
      expect(Object.fromEntries(WHO.map((w, i) => [w, got[i]]))).toEqual(Object.fromEntries(WHO.map((w, i) => [w, EXPECTED[route.name]![i]])));
    });
  }

  it("scopes lists: a manager sees only their team's keys and team", async () => {
    const keys = await call(env.url, principals.managerB, "GET", "/admin/keys");
    expect(keys.body.data.length).toBeGreaterThan(0);
    expect(keys.body.data.every((k: { team_id: string }) => k.team_id === teamB.id)).toBe(true);
    const teams = await call(env.url, principals.managerB, "GET", "/admin/teams");
    expect(teams.body.data.map((t: TeamRecord) => t.id)).toEqual([teamB.id]);
    expect((await call(env.url, principals.managerB, "GET", `/admin/keys?team_id=${teamA.id}`)).status).toBe(403);
  });

  it("keeps managers inside their team: no admin keys, no moving keys out, their team by default", async () => {
    const mgr = principals.managerA;
    expect((await call(env.url, mgr, "POST", "/admin/keys", { name: "x", team_id: teamA.id, role: "admin" })).status).toBe(403);
    const made = await call(env.url, mgr, "POST", "/admin/keys", { name: "defaulted" });
    expect(made.status).toBe(201);
    expect(made.body.team_id).toBe(teamA.id);
    expect((await call(env.url, mgr, "PATCH", `/admin/keys/${made.body.id}`, { team_id: teamB.id })).status).toBe(403);
    expect((await call(env.url, mgr, "PATCH", `/admin/keys/${made.body.id}`, { role: "admin" })).status).toBe(403);
    expect((await call(env.url, mgr, "PATCH", `/admin/keys/${made.body.id}`, { role: "viewer" })).status).toBe(200);
  });
});

describe("keys through the admin API", () => {
  it("shows the secret once, lists the prefix, and stores only the hash", async () => {
    const created = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", {
      name: "ci", team_id: teamA.id, role: "member", models: ["gpt-4o*"], rpm: 60, tpm: 10_000, max_parallel: 4,
      budget_usd: 5, budget_period: "weekly", expires_at: "2099-01-01T00:00:00Z", metadata: { env: "ci" },
    });
    expect(created.status).toBe(201);
    const { key, id, key_prefix } = created.body;
    expect(key).toMatch(/^lsk_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
    expect(key.startsWith(key_prefix)).toBe(true);
    expect(created.body).toMatchObject({ name: "ci", role: "member", models: ["gpt-4o*"], rpm: 60, budget_period: "weekly", expires_at: "2099-01-01T00:00:00.000Z", revoked_at: null });
    expect(created.body).not.toHaveProperty("key_hash");

    const shown = await call(env.url, ADMIN_KEY, "GET", `/admin/keys/${id}`);
    expect(shown.body).not.toHaveProperty("key");
    expect(shown.body).not.toHaveProperty("key_hash");
    expect(shown.body.key_prefix).toBe(key_prefix);
    const listed = await call(env.url, ADMIN_KEY, "GET", "/admin/keys");
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain("key_hash");

    // Read the database itself: the hash is there, the secret nowhere.
    const db = new Database(env.dbFile, { readonly: true });
    try {
      const row = db.prepare("select * from api_keys where id = ?").get(id) as Record<string, unknown>;
      expect(row.key_hash).toBe(createHash("sha256").update(key).digest("hex"));
      const everything = JSON.stringify(db.prepare("select * from api_keys").all());
      expect(everything).not.toContain(key.slice(13));
    } finally {
      db.close();
    }
  });

  it("a new key works at once; a revoked key stops at once", async () => {
    const created = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", { name: "short-lived", team_id: teamA.id, role: "manager" });
    const key = created.body.key as string;
    expect((await call(env.url, key, "GET", "/admin/keys")).status).toBe(200);
    const revoked = await call(env.url, ADMIN_KEY, "DELETE", `/admin/keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const after = await call(env.url, key, "GET", "/admin/keys");
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    // Revoking twice is harmless and keeps the first time.
    expect((await call(env.url, ADMIN_KEY, "DELETE", `/admin/keys/${created.body.id}`)).body.revoked_at).toBe(revoked.body.revoked_at);
  });

  it("updates limits, and null clears one", async () => {
    const created = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", { name: "k", rpm: 10, budget_usd: 1 });
    expect(created.body.budget_period).toBe("total");
    const patched = await call(env.url, ADMIN_KEY, "PATCH", `/admin/keys/${created.body.id}`, { rpm: null, tpm: 500, name: "renamed" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ rpm: null, tpm: 500, name: "renamed", budget_usd: 1 });
  });

  it("answers bad input with OpenAI-shaped 400s naming the field", async () => {
    const cases: Array<[unknown, string | null]> = [
      [{}, "name"],
      [{ name: "x", budget_period: "yearly" }, "budget_period"],
      [{ name: "x", rpm: -1 }, "rpm"],
      [{ name: "x", rpm: 1.5 }, "rpm"],
      [{ name: "x", role: "owner" }, "role"],
      [{ name: "x", budget: 5 }, "budget"],
      [{ name: "x", models: "gpt-4o" }, "models"],
      [{ name: "x", expires_at: "tomorrow" }, "expires_at"],
      [{ name: "x", expires_at: "2000-01-01T00:00:00Z" }, "expires_at"],
      [{ name: "x", team_id: "team_nope" }, "team_id"],
      [{ name: "x", metadata: [1] }, "metadata"],
      [[1, 2], null],
    ];
    for (const [body, param] of cases) {
      const res = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", param });
      expect(typeof res.body.error.message).toBe("string");
    }
  });

  it("404s unknown ids", async () => {
    for (const [method, path, body] of [["GET", "/admin/keys/key_nope"], ["PATCH", "/admin/keys/key_nope", { rpm: 1 }], ["DELETE", "/admin/keys/key_nope"], ["GET", "/admin/teams/team_nope"], ["PATCH", "/admin/teams/team_nope", { rpm: 1 }]] as const) {
      const res = await call(env.url, ADMIN_KEY, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.type).toBe("not_found_error");
    }
  });
});

describe("mcp_tools through the admin API", () => {
  it("sets MCP tool globs on keys and teams, changes and clears them, and refuses a malformed list", async () => {
    const team = await call(env.url, ADMIN_KEY, "POST", "/admin/teams", { name: "mcp-team", mcp_tools: ["docs__*"] });
    expect(team.status).toBe(201);
    expect(team.body.mcp_tools).toEqual(["docs__*"]);
    const made = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", { name: "mcp-key", team_id: team.body.id, mcp_tools: ["docs__echo", "web__*"] });
    expect(made.status).toBe(201);
    expect(made.body.mcp_tools).toEqual(["docs__echo", "web__*"]);
    const plain = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", { name: "plain" });
    expect(plain.body.mcp_tools).toBeNull();

    const none = await call(env.url, ADMIN_KEY, "PATCH", `/admin/keys/${made.body.id}`, { mcp_tools: [] });
    expect(none.body.mcp_tools).toEqual([]);
    expect((await call(env.url, ADMIN_KEY, "GET", `/admin/keys/${made.body.id}`)).body.mcp_tools).toEqual([]);
    expect((await call(env.url, ADMIN_KEY, "PATCH", `/admin/keys/${made.body.id}`, { mcp_tools: null })).body.mcp_tools).toBeNull();
    expect((await call(env.url, ADMIN_KEY, "PATCH", `/admin/teams/${team.body.id}`, { mcp_tools: null })).body.mcp_tools).toBeNull();

    // The authenticated principal carries both lists (what /mcp filters by).
    await call(env.url, ADMIN_KEY, "PATCH", `/admin/teams/${team.body.id}`, { mcp_tools: ["web__*"] });
    await call(env.url, ADMIN_KEY, "PATCH", `/admin/keys/${made.body.id}`, { mcp_tools: ["web__search"] });
    const principal = await env.auth.authenticate(made.body.key);
    expect(principal.kind === "key" && [principal.key.mcp_tools, principal.team?.mcp_tools]).toEqual([["web__search"], ["web__*"]]);

    const bad = await call(env.url, ADMIN_KEY, "POST", "/admin/keys", { name: "x", mcp_tools: "docs__*" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("mcp_tools");
    expect((await call(env.url, ADMIN_KEY, "PATCH", `/admin/teams/${team.body.id}`, { mcp_tools: [""] })).body.error.param).toBe("mcp_tools.0");
  });
});

describe("teams through the admin API", () => {
  it("creates, lists, shows and updates a team; 409 on a taken name", async () => {
    const created = await call(env.url, ADMIN_KEY, "POST", "/admin/teams", { name: "research", models: ["claude-*"], rpm: 100, budget_usd: 50, budget_period: "monthly", metadata: { owner: "ana" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "research", models: ["claude-*"], rpm: 100, budget_usd: 50, budget_period: "monthly", metadata: { owner: "ana" } });
    const dup = await call(env.url, ADMIN_KEY, "POST", "/admin/teams", { name: "research" });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: "team_name_taken", param: "name" });
    const renameClash = await call(env.url, ADMIN_KEY, "PATCH", `/admin/teams/${created.body.id}`, { name: "team-a" });
    expect(renameClash.status).toBe(409);
    const updated = await call(env.url, ADMIN_KEY, "PATCH", `/admin/teams/${created.body.id}`, { rpm: null, tpm: 9 });
    expect(updated.body).toMatchObject({ name: "research", rpm: null, tpm: 9 });
    expect((await call(env.url, ADMIN_KEY, "GET", `/admin/teams/${created.body.id}`)).body).toEqual(updated.body);
    expect((await call(env.url, ADMIN_KEY, "GET", "/admin/teams")).body.data.map((t: TeamRecord) => t.name)).toContain("research");
    expect((await call(env.url, ADMIN_KEY, "POST", "/admin/teams", { name: "" })).body.error.param).toBe("name");
  });

  it("a team change reaches cached keys of that team at once", async () => {
    const team = await env.admin.createTeam({ name: "cached-team", rpm: 1 });
    const { key } = await env.admin.createKey({ name: "k", team_id: team.id, role: "manager" });
    const first = await env.auth.authenticate(key);
    expect(first.kind === "key" && first.team?.rpm).toBe(1);
    await call(env.url, ADMIN_KEY, "PATCH", `/admin/teams/${team.id}`, { rpm: 2 });
    const again = await env.auth.authenticate(key);
    expect(again.kind === "key" && again.team?.rpm).toBe(2);
  });
});
