/**
 * `liaison prices update|check`, run in process on a fresh program with
 * their output and exit status captured.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerPriceCommands } from "../../src/cli/prices.js";
import { readPriceFile, today } from "../../src/cost/index.js";

const FIXTURE = new URL("../cost/fixtures/litellm-prices.json", import.meta.url).pathname;
let dir: string;
let server: Server;
let fixtureUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "liaison-prices-cli-"));
  server = createServer((req, res) => {
    if (req.url === "/model_prices_and_context_window.json") res.writeHead(200, { "content-type": "application/json" }).end(readFileSync(FIXTURE));
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fixtureUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model_prices_and_context_window.json`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `liaison prices ...args`; resolves to what it printed and the exit status it set. */
async function liaison(args: string[]): Promise<{ out: string; code: number }> {
  let out = "";
  let code = 0;
  const program = new Command().exitOverride();
  registerPriceCommands(program, { out: (t) => void (out += t), exitCode: (c) => void (code = c) });
  await program.parseAsync(["prices", ...args], { from: "user" });
  return { out, code };
}

function writeConfig(name: string, config: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, stringify({ storage: { url: "memory:" }, ...config }));
  return path;
}

describe("liaison prices update", () => {
  it("converts LiteLLM's file to our format at --out, dated today", async () => {
    const out = join(dir, "out", "prices.json");
    const { out: printed } = await liaison(["update", FIXTURE, "--out", out]);
    expect(printed).toMatch(/^wrote 9 prices to .*prices\.json \(converted from LiteLLM's format, dated \d{4}-\d\d-\d\d; 3 entries left out/);
    expect(printed).toContain(`set prices.file: ${out}`);
    const doc = readPriceFile(out);
    expect(doc.converted).toBeUndefined(); // our own format now
    expect(doc.models.find((m) => m.model === "gpt-4o" && m.provider === "openai")).toMatchObject({ input: 2.5, output: 10, date: today() });
    expect(JSON.parse(readFileSync(out, "utf8")).$comment).toMatch(/liaison prices update/);
  });

  it("writes to the config's prices.file, with the date given", async () => {
    const target = join(dir, "from-config.json");
    const config = writeConfig("with-file.yaml", { prices: { file: target } });
    const { out } = await liaison(["update", FIXTURE, "--config", config, "--date", "2026-11-30"]);
    expect(out).toContain("restart the gateway");
    expect(readPriceFile(target).models.every((m) => m.date === "2026-11-30")).toBe(true);
  });

  it("fetches an http(s) URL, and cites it as the source", async () => {
    const out = join(dir, "fetched.json");
    await liaison(["update", fixtureUrl, "--out", out]);
    const doc = readPriceFile(out);
    expect(doc.models.find((m) => m.model === "gpt-4o")!.source).toBe(fixtureUrl);
    expect(doc.models.find((m) => m.model === "gemini-2.5-pro")!.source).toBe("https://ai.google.dev/gemini-api/docs/pricing");
  });

  it("refuses without a destination, a bad file, and an unreachable URL", async () => {
    const config = writeConfig("no-file.yaml", {});
    await expect(liaison(["update", FIXTURE, "--config", config])).rejects.toThrow(/nowhere to write: pass --out FILE, or set prices.file/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ some: "thing" }));
    await expect(liaison(["update", bad, "--out", join(dir, "x.json")])).rejects.toThrow(/bad\.json: not a price file/);
    await expect(liaison(["update", fixtureUrl.replace("model_prices", "missing"), "--out", join(dir, "x.json")])).rejects.toThrow(/answered 404/);
  });
});

describe("liaison prices check", () => {
  const providers = { up: { type: "openai", base_url: "http://127.0.0.1:1/v1" }, local: { type: "ollama", base_url: "http://127.0.0.1:2" } };
  const models = { smart: { targets: [{ provider: "up", model: "gpt-4o" }, { provider: "local", model: "llama3.2" }] }, mini: { targets: [{ provider: "up", model: "gpt-4o-mini" }] } };

  it("lists models in use with no price or an old one, and exits 1", async () => {
    const config = writeConfig("check.yaml", { providers, models, prices: { "up/gpt-4o-mini": { input: 0.1, output: 0.4 } } });
    const { out, code } = await liaison(["check", "--config", config]);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TARGET\s+USED_BY\s+PRICE\s+DATE\s+AGE_DAYS$/);
    expect(lines[2]).toMatch(/^up\/gpt-4o\s+smart\s+stale\s+2025-10-01\s+\d+$/);
    expect(lines[3]).toMatch(/^local\/llama3\.2\s+smart\s+none\s+-\s+-$/);
    expect(lines[4]).toMatch(/^2 of 3 models in use have no price or one older than 180 days/);
    expect(code).toBe(1);
  });

  it("--max-age-days and --json; a fresh prices.file leaves nothing to report (exit 0)", async () => {
    const fresh = join(dir, "fresh.json");
    await liaison(["update", FIXTURE, "--out", fresh]);
    const config = writeConfig("fresh.yaml", { providers, models, prices: { file: fresh, models: { "local/llama3.2": { input: 0, output: 0 } } } });
    const ok = await liaison(["check", "--config", config]);
    expect(ok).toEqual({ out: "all 3 models in use have a price from the last 180 days\n", code: 0 });

    const old = writeConfig("old.yaml", { providers, models });
    const json = JSON.parse((await liaison(["check", "--config", old, "--max-age-days", "100000", "--json"])).out) as { max_age_days: number; models_in_use: number; problems: { target: string; problem: string }[] };
    expect(json).toMatchObject({ max_age_days: 100000, models_in_use: 3, problems: [{ target: "local/llama3.2", problem: "missing" }] });
  });
});
