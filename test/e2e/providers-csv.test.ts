/**
 * A provider list in CSV through the real server (DESIGN.md §7): the CLI
 * started with `providers_csv:`, fake OpenAI upstreams behind each row's
 * URLs (given without a path: the type's /v1 is added). `provider_name/MODEL`
 * goes to primary_url first and to secondary_url when the primary fails,
 * is down, is slower than `timeout` or at its `max_requests_per_minute`;
 * `cost_per_1k_tokens` prices the answers; `priority` orders a model's
 * targets. Then `liaison providers import` and a bad row stopping `serve`
 * and `config check` with the file, the line and the column.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
const REPO = new URL("../../", import.meta.url).pathname;
const HEADER = "provider_name,primary_url,secondary_url,api_key_env,timeout,max_requests_per_minute,cost_per_1k_tokens,priority";
const KEY = "sk-csv-test";

const dir = mkdtempSync(join(tmpdir(), "liaison-csv-e2e-"));
let primary: FakeServer;
let secondary: FakeServer;
let other: FakeServer;
let gw: CliServer;
let client: OpenAI;

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const origin = (fake: FakeServer) => `http://127.0.0.1:${fake.port}`;

beforeAll(async () => {
  // house-model: a model the price catalogue has never heard of.
  const models = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "house-model"];
  primary = await startOpenAIFake({ apiKey: KEY, reply: "from primary", models });
  secondary = await startOpenAIFake({ apiKey: KEY, reply: "from secondary", models });
  other = await startOpenAIFake({ reply: "from other", models: ["llama"] });
  const down = await closedPort();
  writeFileSync(join(dir, "providers.csv"), [
    `${HEADER},type,models`,
    `openai,${origin(primary)},${origin(secondary)},CSV_TEST_KEY,5,,0.002,2,,gpt-4o;gpt-4o-mini`,
    `down,http://127.0.0.1:${down},${origin(secondary)},CSV_TEST_KEY,,,,,openai,`,
    `slow,${origin(primary)},${origin(secondary)},CSV_TEST_KEY,0.5,,,,openai,`,
    `limited,${origin(primary)},${origin(secondary)},CSV_TEST_KEY,,1,,,openai,`,
    `cheap,${origin(other)},,,,,0.0005,1,vllm,`,
  ].join("\n"));
  gw = await startCli({
    logging: { level: "error", flush_interval_ms: 20 },
    providers_csv: join(dir, "providers.csv"),
    routing: { retry: { base_delay_ms: 5, max_delay_ms: 20 } },
    models: {
      // Listed openai first; the CSV's priority column puts cheap (1) before openai (2).
      smart: { strategy: "priority", targets: [{ provider: "openai", model: "gpt-4o" }, { provider: "cheap", model: "llama" }] },
    },
  }, { env: { CSV_TEST_KEY: KEY } });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await Promise.all([primary, secondary, other].map((f) => f?.close()));
  rmSync(dir, { recursive: true, force: true });
});

const ask = (model: string, content = "hello there") => client.chat.completions.create({ model, messages: [{ role: "user", content }] }).withResponse();

describe("provider_name/MODEL", () => {
  it("goes to primary_url first, at the type's usual path, with the key from api_key_env", async () => {
    const before = secondary.requests.length;
    const { data, response } = await ask("openai/gpt-4o");
    expect(data.choices[0]!.message.content).toBe("from primary");
    expect(response.headers.get("x-liaison-provider")).toBe("openai");
    expect(response.headers.get("x-liaison-attempts")).toBe("1");
    expect(primary.requests.at(-1)).toMatchObject({ path: "/v1/chat/completions", body: { model: "gpt-4o" } });
    expect(secondary.requests.length).toBe(before);
  });

  it("falls back to secondary_url when the primary fails", async () => {
    primary.setFault({ kind: "status", status: 500, times: 1 });
    const { data, response } = await ask("openai/gpt-4o-mini");
    expect(data.choices[0]!.message.content).toBe("from secondary");
    expect(response.headers.get("x-liaison-provider")).toBe("openai-secondary");
    expect(response.headers.get("x-liaison-attempts")).toBe("2");
    expect(secondary.requests.at(-1)).toMatchObject({ path: "/v1/chat/completions", body: { model: "gpt-4o-mini" } });
  });

  it("a stream falls back too, before its first byte", async () => {
    primary.setFault({ kind: "status", status: 503, times: 1 });
    const stream = await client.chat.completions.create({ model: "openai/gpt-4o", stream: true, messages: [{ role: "user", content: "stream it" }] });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("from secondary");
  });

  it("falls back when nothing listens at the primary", async () => {
    const { data, response } = await ask("down/gpt-4o");
    expect(data.choices[0]!.message.content).toBe("from secondary");
    expect(response.headers.get("x-liaison-provider")).toBe("down-secondary");
  });

  it("timeout (seconds) bounds an attempt: a primary slower than 0.5 s gives way to the secondary", async () => {
    primary.setFault({ kind: "slow_first_byte", delayMs: 2_000, times: 1 });
    const started = Date.now();
    const { data } = await ask("slow/gpt-4o");
    expect(data.choices[0]!.message.content).toBe("from secondary");
    expect(Date.now() - started).toBeLessThan(1_800);
  });

  it("max_requests_per_minute: a primary at its limit is skipped for the secondary", async () => {
    const first = await ask("limited/gpt-4.1");
    expect(first.response.headers.get("x-liaison-provider")).toBe("limited");
    const second = await ask("limited/gpt-4.1");
    expect(second.response.headers.get("x-liaison-provider")).toBe("limited-secondary");
    expect(second.response.headers.get("x-liaison-attempts")).toBe("1");
  });
});

describe("the other columns", () => {
  it("cost_per_1k_tokens prices every model of the provider, primary and secondary alike", async () => {
    const { data, response } = await ask("openai/gpt-4o", "what does this cost");
    const tokens = data.usage!.prompt_tokens + data.usage!.completion_tokens;
    expect(Number(response.headers.get("x-liaison-cost-usd"))).toBeCloseTo(tokens * 0.002 / 1000, 12);
    primary.setFault({ kind: "status", status: 500, times: 1 });
    const fallback = await ask("openai/house-model", "and this");
    const used = fallback.data.usage!.prompt_tokens + fallback.data.usage!.completion_tokens;
    expect(Number(fallback.response.headers.get("x-liaison-cost-usd"))).toBeCloseTo(used * 0.002 / 1000, 12);
  });

  it("priority orders a model's targets for the priority strategy", async () => {
    const { data, response } = await ask("smart");
    expect(data.choices[0]!.message.content).toBe("from other");
    expect(response.headers.get("x-liaison-provider")).toBe("cheap");
  });

  it("models are listed by GET /v1/models as provider/model", async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["smart", "openai/gpt-4o", "openai/gpt-4o-mini", "openai-secondary/gpt-4o"]));
  });
});

function liaison(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, OPENAI_API_KEY: "" } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("the command line", () => {
  const seed = `${HEADER}\nopenai,https://api.openai.com,,OPENAI_API_KEY,30,3500,0.002,1\nanthropic,https://api.anthropic.com,,ANTHROPIC_API_KEY,30,1000,0.003,2\n`;

  it("liaison providers import prints the YAML the seed's rows stand for", async () => {
    writeFileSync(join(dir, "seed.csv"), seed);
    const r = await liaison(["providers", "import", "seed.csv"], dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = parse(r.stdout);
    expect(doc.providers).toEqual({
      openai: { type: "openai", base_url: "https://api.openai.com/v1", api_key: "${OPENAI_API_KEY}", timeouts: { total_ms: 30_000 } },
      anthropic: { type: "anthropic", base_url: "https://api.anthropic.com", api_key: "${ANTHROPIC_API_KEY}", timeouts: { total_ms: 30_000 } },
    });
    expect(doc.prices.models["openai/*"]).toEqual({ input: 2, output: 2 });
  });

  it("config check loads the seed's rows, relative to the config file", async () => {
    const sub = mkdtempSync(join(dir, "cfg-"));
    writeFileSync(join(sub, "providers.csv"), seed);
    writeFileSync(join(sub, "liaison.yaml"), "providers_csv: ./providers.csv\n");
    const r = await liaison(["config", "check", relative(REPO, join(sub, "liaison.yaml"))], REPO);
    expect(r.stdout).toMatch(/: ok \(3 providers, 0 models\)/);
  });

  it("a bad row: import and serve exit non-zero naming the file, the line and the column", async () => {
    writeFileSync(join(dir, "bad.csv"), `${HEADER}\nopenai,https://api.openai.com,,,30,,,\nanthropic,https://api.anthropic.com,,,30,many,,\n`);
    const imported = await liaison(["providers", "import", "bad.csv"], dir);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toBe("bad.csv: invalid provider list\n  - line 3, column max_requests_per_minute: must be a whole number of requests greater than 0 (got \"many\")\n");
    writeFileSync(join(dir, "bad.yaml"), "providers_csv: bad.csv\n");
    const served = await liaison(["serve", "--config", "bad.yaml", "--port", "0"], dir);
    expect(served.code).toBe(1);
    expect(served.stdout).toBe("");
    expect(served.stderr).toMatch(/^bad\.csv: invalid configuration\n {2}- line 3, column max_requests_per_minute: /);
  });
});
