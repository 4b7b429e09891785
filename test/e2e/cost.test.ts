/**
 * Cost through the real server: x-liaison-cost-usd from the price catalogue
 * (and config overrides), usage asked upstream for streams whose client did
 * not ask for it — the client does not see it, the log row has it.
 */
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let fake: FakeServer;
let gw: CliServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startOpenAIFake();
  gw = await startCli({
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { up: { type: "openai", base_url: fake.url } },
    prices: { "up/gpt-4.1-mini": { input: 1, output: 2 } },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
});

it("prices a non-stream answer from the catalogue (gpt-4o: $2.50 in / $10 out per million)", async () => {
  const { data, response } = await client.chat.completions.create({ model: "up/gpt-4o", messages: [{ role: "user", content: "price this please" }] }).withResponse();
  const u = data.usage!;
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  const expected = ((u.prompt_tokens - cached) * 2.5 + cached * 1.25 + u.completion_tokens * 10) / 1e6;
  expect(Number(response.headers.get("x-liaison-cost-usd"))).toBeCloseTo(expected, 12);
});

it("a config price override wins over the catalogue", async () => {
  const { data, response } = await client.chat.completions.create({ model: "up/gpt-4.1-mini", messages: [{ role: "user", content: "override" }] }).withResponse();
  const expected = (data.usage!.prompt_tokens * 1 + data.usage!.completion_tokens * 2) / 1e6;
  expect(Number(response.headers.get("x-liaison-cost-usd"))).toBeCloseTo(expected, 12);
});

it("a stream is priced from usage asked upstream, which the client that did not ask never sees", async () => {
  const { data: stream, response } = await client.chat.completions.create({ model: "up/gpt-4o", stream: true, messages: [{ role: "user", content: "stream and price" }] }).withResponse();
  let sawUsage = false;
  for await (const c of stream) if (c.usage) sawUsage = true;
  expect(sawUsage).toBe(false);
  expect((fake.requests.at(-1)!.body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage).toBe(true);
  const id = response.headers.get("x-request-id")!;
  let row: { prompt_tokens: number; completion_tokens: number; cost_usd: number | null } | undefined;
  await expect.poll(async () => {
    const res = await request(`${gw.url}/admin/logs/${id}`);
    row = res.statusCode === 200 ? ((await res.body.json()) as typeof row) : (await res.body.dump(), undefined);
    return row?.cost_usd ?? null;
  }).not.toBeNull();
  expect(row!.cost_usd).toBeCloseTo((row!.prompt_tokens * 2.5 + row!.completion_tokens * 10) / 1e6, 12);
});

it("an unknown model has no price: no header and a null cost, never a wrong zero", async () => {
  const { response } = await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "free?" }] }).withResponse();
  expect(response.headers.get("x-liaison-cost-usd")).toBeNull();
});

it("GET /admin/usage and `liaison usage --by model` report requests, tokens and cost", async () => {
  const res = await request(`${gw.url}/admin/usage?group_by=model&since=1h`);
  const { data } = (await res.body.json()) as { data: { group: string; requests: number; cost_usd: number; p50_ms: number }[] };
  const gpt4o = data.find((r) => r.group === "up/gpt-4o");
  expect(gpt4o?.requests).toBeGreaterThanOrEqual(2);
  expect(gpt4o?.cost_usd).toBeGreaterThan(0);
  const { execFile } = await import("node:child_process");
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [new URL("../../bin/liaison.js", import.meta.url).pathname, "usage", "--by", "model", "--since", "1h", "--url", gw.url],
      (err, stdout) => (err ? reject(err) : resolve(stdout))));
  expect(out).toMatch(/MODEL\s+REQUESTS\s+ERRORS\s+PROMPT\s+COMPLETION\s+COST_USD/);
  expect(out).toMatch(/up\/gpt-4o\s+\d+/);
  const bad = await request(`${gw.url}/admin/usage?group_by=planet`);
  expect(bad.statusCode).toBe(400);
  await bad.body.dump();
});
