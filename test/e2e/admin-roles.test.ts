/**
 * Roles on the read-only admin routes through the real server: logs, usage
 * and provider health, for admin, manager (own team only), member and viewer.
 * (The key and team routes are covered role by role in test/keys.)
 */
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "sk-roles-admin";
let gw: CliServer;
const keys: Record<string, string> = {};
let teamA = "";

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await request(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  gw = await startCli({ admin_key: ADMIN, logging: { level: "warn", flush_interval_ms: 20 }, providers: { demo: { type: "mock" } } });
  teamA = ((await call("POST", "/admin/teams", ADMIN, { name: "alpha" })).json as { id: string }).id;
  const teamB = ((await call("POST", "/admin/teams", ADMIN, { name: "beta" })).json as { id: string }).id;
  for (const [name, role, team] of [["manager", "manager", teamA], ["member", "member", teamA], ["viewer", "viewer", null], ["otherMember", "member", teamB]] as const) {
    keys[name] = ((await call("POST", "/admin/keys", ADMIN, { name, role, ...(team ? { team_id: team } : {}) })).json as { key: string }).key;
  }
  // Traffic from both teams, so scoping has something to hide.
  for (const k of [keys.member!, keys.otherMember!]) {
    expect((await call("POST", "/v1/chat/completions", k, { model: "demo/echo", messages: [{ role: "user", content: "hi" }] })).status).toBe(200);
  }
  // Let the log writer flush: poll until both rows are readable (a fixed wait flakes on a loaded machine).
  for (let i = 0; i < 100; i++) {
    const page = (await call("GET", "/admin/logs", ADMIN)).json as { data: unknown[] };
    if (page.data.length >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(async () => {
  await gw?.dispose();
});

it("logs: admin and viewer read all, a manager their team's rows, a member nothing", async () => {
  for (const who of [ADMIN, keys.viewer!]) {
    const { status, json } = await call("GET", "/admin/logs", who);
    expect(status).toBe(200);
    expect((json as { data: unknown[] }).data.length).toBeGreaterThanOrEqual(2);
  }
  expect((await call("GET", "/admin/logs", keys.member!)).status).toBe(403);
  const team = await call("GET", "/admin/logs", keys.manager!);
  expect(team.status).toBe(200);
  const rows = (team.json as { data: { team_id: string | null }[] }).data;
  expect(rows.length).toBeGreaterThanOrEqual(1);
  expect(rows.every((r) => r.team_id === teamA)).toBe(true);
});

it("usage: a manager sees only their team; a member may not read it", async () => {
  const all = (await call("GET", "/admin/usage?group_by=team", ADMIN)).json as { data: { group: string | null; requests: number }[] };
  expect(all.data.filter((r) => r.group !== null).length).toBe(2);
  const mine = await call("GET", "/admin/usage?group_by=team", keys.manager!);
  expect(mine.status).toBe(200);
  expect((mine.json as { data: { group: string }[] }).data.map((r) => r.group)).toEqual([teamA]);
  expect((await call("GET", "/admin/usage?group_by=team&team_id=someone-else", keys.manager!)).status).toBe(403);
  expect((await call("GET", "/admin/usage", keys.member!)).status).toBe(403);
  expect((await call("GET", "/admin/usage", keys.viewer!)).status).toBe(200);
});

it("provider health: every role but member", async () => {
  expect((await call("GET", "/admin/providers", ADMIN)).status).toBe(200);
  expect((await call("GET", "/admin/providers", keys.viewer!)).status).toBe(200);
  expect((await call("GET", "/admin/providers", keys.manager!)).status).toBe(200);
  expect((await call("GET", "/admin/providers", keys.member!)).status).toBe(403);
  expect((await call("GET", "/admin/providers", "lsk_nope_nope")).status).toBe(401);
});
