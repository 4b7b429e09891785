/**
 * A stream that breaks after its first bytes reached the client ends with
 * one error event whose code is stream_interrupted — never
 * upstream_unreachable, which means no connection was made — whatever the
 * upstream's protocol, and the server's log line for it is JSON a parser
 * reads whole (one "msg", the error text in its own field).
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fakes from "../fakes/index.js";
import type { FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const CASES: { name: string; start: () => Promise<FakeServer>; provider: (f: FakeServer) => Record<string, unknown>; model: string }[] = [
  { name: "openai", start: () => fakes.startOpenAIFake({}), provider: (f) => ({ type: "openai", base_url: f.url }), model: "gpt-4o" },
  { name: "anthropic", start: () => fakes.startAnthropicFake({ apiKey: "sk-ant-test" }), provider: (f) => ({ type: "anthropic", base_url: f.url, api_key: "sk-ant-test" }), model: "claude-sonnet-4-5" },
  { name: "gemini", start: () => fakes.startGeminiFake({ apiKey: "g-key" }), provider: (f) => ({ type: "gemini", base_url: f.url, api_key: "g-key" }), model: "gemini-2.5-flash" },
  { name: "ollama", start: () => fakes.startOllamaFake(), provider: (f) => ({ type: "ollama", base_url: f.url }), model: "llama3.2" },
];

const servers: Record<string, FakeServer> = {};
let gw: CliServer;

beforeAll(async () => {
  const providers: Record<string, unknown> = {};
  for (const c of CASES) {
    servers[c.name] = await c.start();
    providers[c.name] = c.provider(servers[c.name]!);
  }
  // One attempt: the break must reach the client, not be retried away before the first byte.
  gw = await startCli({ providers, logging: { level: "warn" }, routing: { retry: { max_attempts: 1 } } });
});
afterAll(async () => {
  await gw?.dispose();
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

describe.each(CASES)("a stream from $name that breaks mid-way", (c) => {
  it("ends with one stream_interrupted error event, and a log line JSON can read", async () => {
    servers[c.name]!.setFault({ kind: "drop_mid_stream", afterChunks: 3, times: 1 });
    const res = await request(`${gw.url}/v1/chat/completions`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: `${c.name}/${c.model}`, stream: true, messages: [{ role: "user", content: "one two three four five six seven eight nine ten" }] }),
    });
    expect(res.statusCode).toBe(200);
    const events = (await res.body.text()).split("\n\n").filter(Boolean);
    expect(events.length).toBeGreaterThan(1);
    const errors = events.filter((e) => e.includes('"error"'));
    expect(errors).toHaveLength(1);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, "")) as { error: { code: string; message: string } };
    expect(last.error.code).toBe("stream_interrupted");
    expect(last.error.message).toMatch(new RegExp(`provider '${c.name}'.*broke off mid-response|provider '${c.name}'.*ended before`));
    const requestId = res.headers["x-request-id"] as string;
    await expect.poll(() => gw.stderr().split("\n").find((l) => l.includes(requestId))).toBeDefined();
    const line = JSON.parse(gw.stderr().split("\n").find((l) => l.includes(requestId))!) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: "stream ended with an error", code: "stream_interrupted" });
    expect(line.error).toBe(last.error.message);
  });
});
