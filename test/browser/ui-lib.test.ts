/**
 * The dashboard's pure parts (ui/src/lib), without a browser: number and
 * time formats, the Overview's ranges and series, budget periods, CSV, the
 * SSE parser, the limit form's mapping to the admin API, which pages a
 * role sees, the Routing page's words for its numbers, and the Prompts
 * page's variables, version choices and evaluation verdicts.
 */
import { describe, expect, it } from "vitest";
import { visiblePages, writesPrompts, type Me } from "../../ui/src/lib/access.js";
import { budgetShare, periodStart } from "../../ui/src/lib/budget.js";
import { toCsv } from "../../ui/src/lib/csv.js";
import { formatAgo, formatMs, formatPct, formatUsd, ratio, shortId } from "../../ui/src/lib/format.js";
import { EMPTY_LIMITS, parseList, toBody, toForm } from "../../ui/src/lib/limits.js";
import { buildSeries, rangeQuery, rangeStart, totals, type UsagePoint } from "../../ui/src/lib/ranges.js";
import { deltaText, SseParser } from "../../ui/src/lib/sse.js";
import { bucketLabel, fellBack, isRoutingRange, qualityText, routingPath, scoreSummary } from "../../ui/src/lib/routing.js";
import { defaultChoice, labelsOf, pickOf, variablesOf, verdictText, versionChoices } from "../../ui/src/lib/prompts.js";

const point = (group: string, requests: number, extra: Partial<UsagePoint> = {}): UsagePoint => ({
  group, requests, errors: 0, prompt_tokens: 10 * requests, completion_tokens: 5 * requests, cost_usd: 0.01 * requests, p50_ms: 100, p95_ms: 200, ...extra,
});

describe("formats", () => {
  it("writes money with cents when large and four significant digits when small", () => {
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(0.000123456)).toBe("$0.0001235");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(null)).toBe("—");
  });
  it("writes latency, shares and ages", () => {
    expect(formatMs(412.3)).toBe("412 ms");
    expect(formatMs(12_345)).toBe("12.3 s");
    expect(formatPct(ratio(1, 8))).toBe("12.5%");
    expect(formatPct(ratio(1, 0))).toBe("—");
    expect(formatAgo("2026-01-01T00:00:00Z", Date.parse("2026-01-01T02:30:00Z"))).toBe("2 h ago");
    expect(formatAgo(null)).toBe("never");
  });
  it("shortens ids to their kind and their last characters, which tell neighbours apart", () => {
    expect(shortId("req_01a24a69f00c1d2e3f4a5b6c")).toBe("req_…3f4a5b6c");
    expect(shortId("req_short")).toBe("req_short");
  });
});

describe("the Overview's ranges", () => {
  const now = Date.parse("2026-11-20T10:30:20.000Z");
  it("asks for whole buckets: minutes for an hour, hours for a day or a week, days for a month", () => {
    expect(rangeQuery("1h", now)).toBe(`group_by=minute&since=${encodeURIComponent("2026-11-20T09:31:00.000Z")}`);
    expect(rangeQuery("24h", now)).toBe(`group_by=hour&since=${encodeURIComponent("2026-11-19T11:00:00.000Z")}`);
    expect(new Date(rangeStart("30d", now)).toISOString()).toBe("2026-10-22T00:00:00.000Z");
  });
  it("fills empty buckets with zeros (latency: no value) and counts requests per minute", () => {
    const s = buildSeries([point("2026-11-20T10:00:00.000Z", 120, { errors: 6 })], "24h", now);
    expect(s.t).toHaveLength(24);
    expect(s.t.at(-1)).toBe(Date.parse("2026-11-20T10:00:00.000Z") / 1000);
    expect(s.requestsPerMin.at(-1)).toBe(2);
    expect(s.errorsPerMin.at(-1)).toBe(0.1);
    expect(s.requestsPerMin[0]).toBe(0);
    expect(s.p95[0]).toBeNull();
    expect(s.p95.at(-1)).toBe(200);
    const days = buildSeries([point("2026-11-20", 3)], "30d", now);
    expect(days.t).toHaveLength(30);
    expect(days.cost.at(-1)).toBeCloseTo(0.03);
  });
  it("adds up the totals, cache included", () => {
    const t = totals([point("a", 30, { errors: 3, cache_hits: 6, cache_saved_usd: 0.5 }), point("b", 30)], "1h");
    expect(t).toMatchObject({ requests: 60, errors: 3, tokens: 900, cacheHits: 6, saved: 0.5, perMinute: 1 });
    expect(t.cost).toBeCloseTo(0.6);
  });
});

describe("budget periods (UTC; weeks start on Monday)", () => {
  const sunday = Date.parse("2026-11-22T15:00:00Z");
  it("starts each period where the gateway does", () => {
    expect(periodStart("daily", sunday)).toBe("2026-11-22T00:00:00.000Z");
    expect(periodStart("weekly", sunday)).toBe("2026-11-16T00:00:00.000Z");
    expect(periodStart("weekly", Date.parse("2026-11-16T00:00:00Z"))).toBe("2026-11-16T00:00:00.000Z");
    expect(periodStart("monthly", sunday)).toBe("2026-11-01T00:00:00.000Z");
    expect(periodStart("total", sunday)).toBeNull();
  });
  it("measures how full a budget is", () => {
    expect(budgetShare(5, 20)).toBe(0.25);
    expect(budgetShare(1, null)).toBeNull();
    expect(budgetShare(0, 0)).toBe(1);
  });
});

describe("CSV", () => {
  it("quotes what needs quoting and defuses spreadsheet formulas", () => {
    expect(toCsv(["group", "cost"], [["a,b", 1.5], ['say "hi"', null], ["=SUM(A1)", 2]])).toBe('group,cost\r\n"a,b",1.5\r\n"say ""hi""",\r\n\'=SUM(A1),2\r\n');
  });
});

describe("server-sent events", () => {
  it("parses events split across chunks, named or not, and chat deltas", () => {
    const p = new SseParser();
    expect(p.push('data: {"choices":[{"delta":{"content":"Hel')).toEqual([]);
    const events = p.push('lo"}}]}\n\nevent: step.completed\r\ndata: {"id":"a"}\r\n\r\n: comment\n\ndata: [DONE]\n\n');
    expect(events.map((e) => e.event)).toEqual(["message", "step.completed", "message"]);
    expect(deltaText(events[0]!.data)).toBe("Hello");
    expect(deltaText("[DONE]")).toBe("");
    expect(() => deltaText('{"error":{"message":"broke"}}')).toThrow("broke");
  });
});

describe("the limit form", () => {
  const form = { ...EMPTY_LIMITS, models: "gpt-4o*, mock/*\nsmart", rpm: "60", budget_usd: "25" };
  it("sends only what is set on a create, and null for what is cleared on an edit", () => {
    expect(toBody(form, { edit: false, mcp: false })).toEqual({ models: ["gpt-4o*", "mock/*", "smart"], rpm: 60, budget_usd: 25, budget_period: "total" });
    expect(toBody({ ...EMPTY_LIMITS, tpm: "1000" }, { edit: true, mcp: true })).toEqual({
      models: null, mcp_tools: null, rpm: null, tpm: 1000, max_parallel: null, budget_usd: null, budget_period: null,
    });
  });
  it("reads a record back into the form", () => {
    expect(toForm({ models: ["a", "b"], mcp_tools: null, rpm: 5, tpm: null, max_parallel: null, budget_usd: 2.5, budget_period: "daily" }))
      .toEqual({ models: "a, b", mcp_tools: "", rpm: "5", tpm: "", max_parallel: "", budget_usd: "2.5", budget_period: "daily" });
    expect(parseList(" , ")).toBeNull();
  });
});

describe("what a role sees", () => {
  const me = (role: Me["role"], features: string[] = ["keys", "workflows"]): Me => ({ key_id: "k", name: "n", role, team_id: null, features });
  it("follows the roles of docs/keys-and-budgets.md and the gateway's features", () => {
    expect(visiblePages(me("admin"))).toEqual(["overview", "logs", "keys", "teams", "providers", "usage", "playground", "workflows"]);
    expect(visiblePages(me("viewer"))).toEqual(["overview", "logs", "providers", "usage"]);
    expect(visiblePages(me("member"))).toEqual(["playground", "workflows"]);
    expect(visiblePages(me("manager", []))).toEqual(["overview", "logs", "providers", "usage", "playground"]);
    expect(visiblePages(me("admin", ["keys", "workflows", "prompts", "routing"]), ["overview", "prompts"])).toEqual(["overview", "prompts"]);
  });
  it("shows Prompts to those who call models and Routing to those who read logs, when the gateway serves them", () => {
    const all = ["keys", "workflows", "prompts", "routing"];
    expect(visiblePages(me("admin", all))).toEqual(["overview", "logs", "keys", "teams", "providers", "usage", "playground", "workflows", "prompts", "routing"]);
    expect(visiblePages(me("member", all))).toEqual(["playground", "workflows", "prompts"]);
    expect(visiblePages(me("viewer", all))).toEqual(["overview", "logs", "providers", "usage", "routing"]);
    expect([writesPrompts(me("admin")), writesPrompts(me("manager")), writesPrompts(me("member")), writesPrompts(me("viewer"))]).toEqual([true, true, false, false]);
  });
});

describe("the Routing page's words", () => {
  const buckets = Array.from({ length: 10 }, (_, i) => ({ bucket_low: i / 10, bucket_high: (i + 1) / 10, count: i === 1 ? 3 : i === 8 ? 1 : 0 }));
  it("asks for a span back from now, and knows its ranges", () => {
    expect(routingPath("7d")).toBe("/admin/routing?since=7d");
    expect([isRoutingRange("1h"), isRoutingRange("30d"), isRoutingRange(null)]).toEqual([true, false, false]);
  });
  it("says the score distribution in words, for the chart's accessible name", () => {
    expect(bucketLabel(buckets[8]!)).toBe("0.8–0.9");
    expect(scoreSummary("smart", buckets, "1h")).toBe("Route scores of smart over the last hour: 4 scored calls; 3 from 0.1–0.2, 1 from 0.8–0.9.");
    expect(scoreSummary("smart", buckets.map((b) => ({ ...b, count: 0 })), "24h")).toBe("Route scores of smart over the last 24 hours: no scored calls.");
  });
  it("says what the quality setting means, and which calls fell back", () => {
    expect(qualityText("learned", 0.95)).toBe("95% of the strongest target's quality, over all traffic");
    expect(qualityText("cascade", null)).toMatch(/^no router/);
    expect(fellBack({ route_target: "a/x", served: "b/y" })).toBe(true);
    expect(fellBack({ route_target: "a/x", served: "a/x" })).toBe(false);
    expect(fellBack({ route_target: null, served: "a/x" })).toBe(false);
  });
});

describe("the Prompts page's parts", () => {
  it("finds a version's variables as the gateway does, in order of first use", () => {
    expect(variablesOf([{ content: "Hi {{ name }}, about {{topic}}" }, { content: "{{name}} {{ 9bad }} {{a.b-c}}" }])).toEqual(["name", "topic", "a.b-c"]);
    expect(variablesOf([{ content: "no placeholders {x}" }])).toEqual([]);
  });
  it("offers labels first (production first), then versions newest first, and picks production by default", () => {
    const labels = { staging: 3, production: 2 };
    expect(versionChoices([1, 2, 3], labels).map((c) => c.value)).toEqual(["label:production", "label:staging", "version:3", "version:2", "version:1"]);
    expect(versionChoices([1], {})[0]).toEqual({ value: "version:1", text: "Version 1" });
    expect(defaultChoice([1, 2, 3], labels)).toBe("label:production");
    expect(defaultChoice([1, 2, 3], { staging: 1 })).toBe("version:3");
    expect(pickOf("label:production")).toEqual({ label: "production" });
    expect(pickOf("version:2")).toEqual({ version: 2 });
    expect(labelsOf(3, { staging: 3, beta: 3, production: 2 })).toEqual(["beta", "staging"]);
  });
  it("says what an evaluation found", () => {
    expect(verdictText({ winner: 2, significant: true, versions: 2 })).toBe("Version 2 wins: better than every other version beyond noise.");
    expect(verdictText({ winner: 2, significant: false, versions: 3 })).toMatch(/^Version 2 scored highest, but not beyond noise/);
    expect(verdictText({ winner: 1, significant: false, versions: 1 })).toMatch(/nothing to compare/);
  });
});
