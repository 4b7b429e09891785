/**
 * prices.file through the real server (the CLI on port 0, a fake OpenAI
 * upstream): the file's prices bill x-liaison-cost-usd over the shipped
 * catalogue, config overrides still win, models in use with old prices are
 * named in one warning at start, and a bad file stops start-up.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatPriceDocument, today } from "../../src/cost/index.js";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
let fake: FakeServer;
let gw: CliServer;
let client: OpenAI;
let dir: string;

const entry = (model: string, input: number, output: number) =>
  ({ provider: "openai", model, aliases: [], kind: "chat" as const, input, output, source: "https://example.com/pricing", date: today(), verified: true });

beforeAll(async () => {
  fake = await startOpenAIFake();
  dir = mkdtempSync(join(tmpdir(), "liaison-prices-file-"));
  const file = join(dir, "prices.json");
  writeFileSync(file, formatPriceDocument({ version: 1, models: [entry("gpt-4o", 3, 12), entry("gpt-4o-mini", 0.5, 1)] }, "test prices"));
  gw = await startCli({
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { up: { type: "openai", base_url: fake.url } },
    models: { smart: { targets: [{ provider: "up", model: "gpt-4o" }] }, older: { targets: [{ provider: "up", model: "gpt-4.1" }] } },
    prices: { file, models: { "up/gpt-4o-mini": { input: 1, output: 2 } } },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function priced(model: string): Promise<{ header: number; prompt: number; completion: number }> {
  const { data, response } = await client.chat.completions.create({ model, messages: [{ role: "user", content: "what does this cost" }] }).withResponse();
  return { header: Number(response.headers.get("x-liaison-cost-usd")), prompt: data.usage!.prompt_tokens, completion: data.usage!.completion_tokens };
}

it("bills with the file's price over the shipped one (gpt-4o: $3 / $12 instead of $2.50 / $10)", async () => {
  const { header, prompt, completion } = await priced("smart");
  expect(header).toBeGreaterThan(0);
  expect(header).toBeCloseTo((prompt * 3 + completion * 12) / 1e6, 12);
});

it("keeps the shipped catalogue for models the file does not list, and config overrides win over the file", async () => {
  const shipped = await priced("up/gpt-4.1");
  expect(shipped.header).toBeCloseTo((shipped.prompt * 2 + shipped.completion * 8) / 1e6, 12);
  const override = await priced("up/gpt-4o-mini");
  expect(override.header).toBeCloseTo((override.prompt * 1 + override.completion * 2) / 1e6, 12);
});

it("warns once at start about the models in use whose price is old (not those the file made current)", () => {
  const warnings = gw.stderr().split("\n").filter((l) => l.includes("liaison prices check"));
  expect(warnings).toHaveLength(1);
  const line = JSON.parse(warnings[0]!) as { models: string[]; msg: string };
  expect(line.models).toEqual(["up/gpt-4.1 (2025-10-01)"]);
  expect(line.msg).toMatch(/^1 model in use has no price, or one older than 180 days/);
});

it("a prices.file that cannot be read stops start-up, naming prices.file", () => {
  const config = join(dir, "bad-prices.yaml");
  writeFileSync(config, stringify({ storage: { url: "memory:" }, prices: { file: join(dir, "missing.json") } }));
  const r = spawnSync(process.execPath, [BIN, "serve", "--config", config, "--port", "0"], { cwd: dir, encoding: "utf8", timeout: 20_000 });
  expect(r.status).toBe(1);
  expect(r.stdout).not.toContain("listening");
  expect(r.stderr).toMatch(/^liaison: prices\.file: .*missing\.json: cannot read the price file/);
});
