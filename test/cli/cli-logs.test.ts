/**
 * `liaison logs tail|show|search` against the real server (started through
 * the CLI), with the commands registered on a fresh program and their output
 * captured.
 */
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pointInTime, registerLogCommands, type LogsIo } from "../../src/cli/logs.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let gw: CliServer;
const ids: string[] = [];

async function chat(model: string): Promise<string> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: `hello ${model}` }] }),
  });
  await res.text();
  return res.headers.get("x-request-id")!;
}

async function logCount(): Promise<number> {
  const res = await fetch(`${gw.url}/admin/logs?limit=1000`);
  return ((await res.json()) as { data: unknown[] }).data.length;
}

/** Runs `liaison logs ...args` in process; resolves to what it printed. */
async function liaison(args: string[], io: Partial<LogsIo> = {}): Promise<string> {
  let out = "";
  const program = new Command().exitOverride();
  registerLogCommands(program, { out: (t) => void (out += t), ...io });
  await program.parseAsync(["logs", ...args, "--url", gw.url], { from: "user" });
  return out;
}

beforeAll(async () => {
  gw = await startCli({ logging: { level: "warn", bodies: true, flush_interval_ms: 20 } });
  for (let i = 0; i < 5; i++) ids.push(await chat("mock/echo"));
  ids.push(await chat("no-such-model")); // a 404 row
  await vi.waitFor(async () => expect(await logCount()).toBe(6), { timeout: 10_000 });
});
afterAll(() => gw?.dispose());

describe("liaison logs", () => {
  it("tail prints the newest rows as a table, oldest of them first", async () => {
    const out = await liaison(["tail", "--limit", "3"]);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+ID\s+MODEL\s+PROVIDER\s+KEY\s+STATUS/);
    expect(lines).toHaveLength(2 + 3);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[1])).toEqual(ids.slice(-3));
    expect(lines[4]).toMatch(/no-such-model\s+-\s+-\s+404/);
  });

  it("tail filters by model and status", async () => {
    const out = await liaison(["tail", "--model", "mock/echo", "--status", "200"]);
    expect(out.trimEnd().split("\n").slice(2)).toHaveLength(5);
    expect(out).not.toContain("no-such-model");
  });

  it("tail --follow prints rows that arrive later, once each, until stopped", async () => {
    const abort = new AbortController();
    let out = "";
    const running = liaison(["tail", "--follow", "--limit", "2", "--interval", "0.1"], {
      out: (t) => void (out += t),
      signal: abort.signal,
    });
    await vi.waitFor(() => expect(out).toContain(ids.at(-1)));
    const later = [await chat("mock/echo"), await chat("mock/echo")];
    await vi.waitFor(() => later.forEach((id) => expect(out).toContain(id)), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 300)); // a few more polls: nothing printed twice
    abort.abort();
    await running;
    for (const id of [...ids.slice(-2), ...later]) expect(out.split(id).length - 1).toBe(1);
    ids.push(...later);
  });

  it("show prints one row in full as JSON, bodies included", async () => {
    const row = JSON.parse(await liaison(["show", ids[0]!])) as Record<string, unknown>;
    expect(row).toMatchObject({ id: ids[0], model: "mock/echo", status: 200, request_body: { model: "mock/echo" } });
    await expect(liaison(["show", "nope"])).rejects.toThrow(/404/);
  });

  it("search pages through the API up to --limit, with filters and --json", async () => {
    const all = JSON.parse(await liaison(["search", "--since", "1h", "--json", "--limit", "1000"])) as { id: string }[];
    expect(all.map((r) => r.id)).toEqual([...ids].reverse());

    // Pages of at most --limit rows: 3 here, then a note that more match.
    const some = await liaison(["search", "--model", "mock/echo", "--limit", "3"]);
    expect(some.trimEnd().split("\n").slice(2, 5).map((l) => l.split(/\s+/)[1])).toEqual([...ids].reverse().filter((_, i) => i !== ids.length - 6).slice(0, 3));
    expect(some).toContain("more rows match");

    const errors = JSON.parse(await liaison(["search", "--status", "404", "--json"])) as { id: string }[];
    expect(errors.map((r) => r.id)).toEqual([ids[5]]);
    const future = JSON.parse(await liaison(["search", "--since", new Date(Date.now() + 60_000).toISOString(), "--json"])) as unknown[];
    expect(future).toEqual([]);
    const before = JSON.parse(await liaison(["search", "--until", "2000-01-01T00:00:00Z", "--json"])) as unknown[];
    expect(before).toEqual([]);
  });

  it("search follows next_cursor past the API's 1000-row page", { timeout: 60_000 }, async () => {
    const more: string[] = [];
    for (let i = 0; i < 1000; i += 25) more.push(...(await Promise.all(Array.from({ length: 25 }, () => chat("mock/echo")))));
    ids.push(...more);
    await vi.waitFor(async () => {
      const rows = JSON.parse(await liaison(["search", "--limit", "2000", "--json"])) as unknown[];
      expect(rows).toHaveLength(ids.length); // 1008: two API pages
    }, { timeout: 20_000 });
    const capped = JSON.parse(await liaison(["search", "--limit", "1003", "--json"])) as { id: string }[];
    expect(capped).toHaveLength(1003);
    expect(new Set(capped.map((r) => r.id)).size).toBe(1003);
  });
});

describe("pointInTime", () => {
  it("turns spans into ISO times back from now and normalises ISO input", () => {
    const now = Date.parse("2025-06-01T12:00:00.000Z");
    expect(pointInTime("1h", now)).toBe("2025-06-01T11:00:00.000Z");
    expect(pointInTime("7d", now)).toBe("2025-05-25T12:00:00.000Z");
    expect(pointInTime("30m", now)).toBe("2025-06-01T11:30:00.000Z");
    expect(pointInTime("2025-01-01T00:00:00+01:00")).toBe("2024-12-31T23:00:00.000Z");
    expect(() => pointInTime("yesterday")).toThrow(/ISO-8601/);
  });
});
