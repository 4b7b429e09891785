/** GET /admin/usage over real HTTP, with the app's error mapping and a usage function over memory rows. */
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorBody, normalizeError } from "../../../src/server/error-response.js";
import { parseUsageQuery, registerAdminUsageRoutes } from "../../../src/server/routes/admin-usage.js";
import { queryUsageInMemory, type UsageQuery } from "../../../src/store/usage/usage-query.js";
import { makeRow } from "../log-rows.js";

const rows = [
  makeRow({ created_at: "2025-01-01T10:00:00.000Z", model: "gpt-4o", latency_ms: 100, cost_usd: 0.002 }),
  makeRow({ created_at: "2025-01-02T10:00:00.000Z", model: "claude", latency_ms: 300, cost_usd: 0.001, status: 500 }),
];

describe("GET /admin/usage", () => {
  let app: FastifyInstance;
  let base: string;
  const seen: UsageQuery[] = [];

  beforeAll(async () => {
    app = Fastify();
    app.setErrorHandler((err, _req, reply) => {
      const e = normalizeError(err, 1);
      return reply.code(e.status).type("application/json").send(errorBody(e));
    });
    registerAdminUsageRoutes(app, {
      async queryUsage(q) {
        seen.push(q);
        return queryUsageInMemory(rows, q);
      },
    });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(() => app.close());

  it("answers {data: [...]} grouped as asked", async () => {
    const res = await fetch(`${base}/admin/usage?group_by=model&since=2025-01-01T00:00:00Z&until=2025-02-01`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { group: string; requests: number; errors: number; p50_ms: number }[] };
    expect(body.data.map((r) => [r.group, r.requests, r.errors, r.p50_ms])).toEqual([["gpt-4o", 1, 0, 100], ["claude", 1, 1, 300]]);
    expect(seen.at(-1)).toEqual({ group_by: "model", since: "2025-01-01T00:00:00.000Z", until: "2025-02-01T00:00:00.000Z" });
  });

  it("defaults to group_by=day", async () => {
    const body = (await (await fetch(`${base}/admin/usage`)).json()) as { data: { group: string }[] };
    expect(body.data.map((r) => r.group)).toEqual(["2025-01-01", "2025-01-02"]);
  });

  it.each([
    ["group_by=week", "group_by"],
    ["group_by=day&since=yesterday", "since"],
    ["until=2025-13-01", "until"],
    ["since=2025-02-01&until=2025-01-01", "since"],
    ["group_by=day&group_by=model", "group_by"],
  ])("400 with the param for %s", async (qs, param) => {
    const res = await fetch(`${base}/admin/usage?${qs}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; param: string } };
    expect(body.error).toMatchObject({ type: "invalid_request_error", param });
  });
});

describe("parseUsageQuery", () => {
  it("accepts relative spans back from now (the CLI's --since 7d)", () => {
    const now = Date.parse("2025-06-15T12:00:00Z");
    expect(parseUsageQuery({ since: "7d", until: "1h", key_id: "key_1" }, now)).toEqual({
      group_by: "day", since: "2025-06-08T12:00:00.000Z", until: "2025-06-15T11:00:00.000Z", key_id: "key_1",
    });
    expect(parseUsageQuery({ since: "30m", group_by: "team", team_id: "t" }, now)).toMatchObject({ since: "2025-06-15T11:30:00.000Z", team_id: "t" });
  });
});
