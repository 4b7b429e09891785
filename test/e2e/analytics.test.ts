/**
 * GET /analytics/costs through the real server (the CLI on port 0): totals
 * and groups from the request log, and who may read them — admin and
 * viewer everything, a manager their team only, a member nothing.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "sk-analytics-admin";
let gw: CliServer;
const keys: Record<string, string> = {};
const keyIds: Record<string, string> = {};
let teamA = "";
let teamB = "";

interface CostRow { group: string | null; requests: number; cost_usd: number; prompt_tokens: number; completion_tokens: number }
interface Costs { total_usd: number; data: CostRow[] }

async function call(method: string, path: string, key: string | undefined, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await request(`${gw.url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : null };
}

async function costs(query: string, key: string | undefined = ADMIN): Promise<Costs> {
  const { status, json } = await call("GET", `/analytics/costs${query}`, key);
  expect(status, JSON.stringify(json)).toBe(200);
  return json as Costs;
}

const chat = async (key: string, model: string, content: string) =>
  expect((await call("POST", "/v1/chat/completions", key, { model, messages: [{ role: "user", content }] })).status).toBe(200);

beforeAll(async () => {
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "error", flush_interval_ms: 20 },
    providers: { demo: { type: "mock", text: "a fixed reply of seven words here" } },
    models: { smart: { targets: [{ provider: "demo", model: "echo" }] } },
    // The mock has no catalogue price: these make every row cost something.
    prices: { "demo/echo": { input: 1, output: 2 }, "demo/fixed": { input: 10, output: 20 } },
  });
  teamA = ((await call("POST", "/admin/teams", ADMIN, { name: "alpha" })).json as { id: string }).id;
  teamB = ((await call("POST", "/admin/teams", ADMIN, { name: "beta" })).json as { id: string }).id;
  for (const [name, role, team] of [
    ["manager", "manager", teamA], ["member", "member", teamA], ["viewer", "viewer", null], ["teamViewer", "viewer", teamA], ["otherMember", "member", teamB],
  ] as const) {
    const created = (await call("POST", "/admin/keys", ADMIN, { name, role, ...(team ? { team_id: team } : {}) })).json as { id: string; key: string };
    keys[name] = created.key;
    keyIds[name] = created.id;
  }
  await chat(keys.member!, "smart", "one two three");
  await chat(keys.member!, "demo/fixed", "four five");
  await chat(keys.otherMember!, "smart", "six seven eight nine");
  await vi.waitFor(async () => expect(((await call("GET", "/admin/logs?limit=100", ADMIN)).json as { data: unknown[] }).data).toHaveLength(3), { timeout: 10_000 });
});
afterAll(async () => {
  await gw?.dispose();
});

describe("GET /analytics/costs", () => {
  it("sums the request log: total_usd, and per group requests, cost and tokens, nothing else", async () => {
    const logs = ((await call("GET", "/admin/logs?limit=100", ADMIN)).json as { data: { cost_usd: number }[] }).data;
    const logged = logs.reduce((sum, r) => sum + r.cost_usd, 0);
    const byModel = await costs("?group_by=model");
    expect(byModel.total_usd).toBeGreaterThan(0);
    expect(byModel.total_usd).toBeCloseTo(logged, 12);
    // Groups are the names clients asked for, dearest first.
    expect(byModel.data.map((r) => [r.group, r.requests])).toEqual([["demo/fixed", 1], ["smart", 2]]);
    for (const r of byModel.data) expect(Object.keys(r).sort()).toEqual(["completion_tokens", "cost_usd", "group", "prompt_tokens", "requests"]);
    const smart = byModel.data.find((r) => r.group === "smart")!;
    // The mock counts words: prompts of 3 and 4, echoed back; $1 in and $2 out per million.
    expect(smart).toMatchObject({ prompt_tokens: 7, completion_tokens: 7 });
    expect(smart.cost_usd).toBeCloseTo((7 * 1 + 7 * 2) / 1e6, 12);
  });

  it("groups by provider, key, team and day (the default); each grouping has the same total", async () => {
    const total = (await costs("?group_by=model")).total_usd;
    expect((await costs("?group_by=provider")).data.map((r) => r.group)).toEqual(["demo"]);
    const byKey = await costs("?group_by=key");
    expect(byKey.data.map((r) => r.group).sort()).toEqual([keyIds.member, keyIds.otherMember].sort());
    expect((await costs("?group_by=team")).data.map((r) => r.group).sort()).toEqual([teamA, teamB].sort());
    const byDay = await costs("");
    expect(byDay.data.map((r) => r.group)).toEqual([new Date().toISOString().slice(0, 10)]);
    for (const c of [byKey, byDay]) expect(c.total_usd).toBeCloseTo(total, 12);
  });

  it("since and until narrow the rows; bad parameters are 400s naming them", async () => {
    expect(await costs("?since=2099-01-01")).toEqual({ total_usd: 0, data: [] });
    expect((await costs("?since=1h&group_by=model")).data).toHaveLength(2);
    for (const [query, param] of [["?group_by=hour", "group_by"], ["?group_by=nope", "group_by"], ["?since=yesterday-ish", "since"]] as const) {
      const { status, json } = await call("GET", `/analytics/costs${query}`, ADMIN);
      expect(status).toBe(400);
      expect((json as { error: { param: string } }).error.param).toBe(param);
    }
  });

  it("admin and viewer read everyone's; a team's viewer and a manager their team's; a member gets 403", async () => {
    const all = (await costs("?group_by=team", keys.viewer)).data.map((r) => r.group).sort();
    expect(all).toEqual([teamA, teamB].sort());
    for (const who of [keys.manager!, keys.teamViewer!]) {
      const mine = await costs("?group_by=team", who);
      expect(mine.data.map((r) => r.group)).toEqual([teamA]);
      expect(mine.data[0]!.requests).toBe(2);
    }
    expect((await call("GET", `/analytics/costs?team_id=${teamB}`, keys.manager)).status).toBe(403);
    for (const who of [keys.member, keys.otherMember]) {
      const { status, json } = await call("GET", "/analytics/costs", who);
      expect(status).toBe(403);
      expect((json as { error: { code: string } }).error.code).toBe("permission_denied");
    }
  });

  it("without a key: 401", async () => {
    expect((await call("GET", "/analytics/costs", undefined)).status).toBe(401);
    expect((await call("GET", "/analytics/costs", "sk-wrong")).status).toBe(401);
  });
});
