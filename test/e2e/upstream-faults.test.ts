/**
 * Upstream faults through the real server: timeouts, dropped and stalled
 * connections, bad bodies, mid-stream failures and client disconnects. Every
 * case must end promptly in a clear error, never a hang.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI, { APIError } from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let fake: FakeServer;
let gw: CliServer;
let client: OpenAI;

// A hand-made upstream that streams one chunk every 100 ms and reports when its client goes away.
let slow: Server;
let slowClosedAt: number | undefined;
let slowChunksSent = 0;

beforeAll(async () => {
  fake = await startOpenAIFake();
  slow = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (i: number) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`;
    let i = 0;
    const timer = setInterval(() => { res.write(chunk(i++)); slowChunksSent++; }, 100);
    res.on("close", () => { clearInterval(timer); slowClosedAt = Date.now(); });
  });
  await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
  const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/v1`;
  gw = await startCli({
    // One attempt: these tests are about how each fault surfaces, not about retries (routing.test.ts).
    routing: { retry: { max_attempts: 1 } },
    providers: {
      up: { type: "openai", base_url: fake.url },
      tight: { type: "openai", base_url: fake.url, timeouts: { first_byte_ms: 300, idle_ms: 300 } },
      slow: { type: "openai", base_url: slowUrl },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
  slow?.closeAllConnections();
  await new Promise((r) => slow?.close(r));
});

const ask = (model: string, extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model, messages: [{ role: "user", content: "hello there" }], ...extra } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming);

async function errorOf(p: Promise<unknown>): Promise<APIError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(OpenAI.APIError);
  return e as APIError;
}

describe("timeouts", () => {
  it("a per-request x-liaison-timeout-ms turns a slow first byte into 504", async () => {
    fake.setFault({ kind: "slow_first_byte", delayMs: 3000, times: 1 });
    const started = Date.now();
    const e = await errorOf(client.chat.completions.create({ model: "up/gpt-4o", messages: [{ role: "user", content: "x" }] }, { headers: { "x-liaison-timeout-ms": "300" } }));
    expect(e.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("the provider's first-byte timeout gives 504 naming the timeout", async () => {
    fake.setFault({ kind: "slow_first_byte", delayMs: 3000, times: 1 });
    const e = await errorOf(ask("tight/gpt-4o"));
    expect(e.status).toBe(504);
    expect(e.message).toMatch(/first-byte timeout/);
  });

  it("a stream that stalls mid-way ends with an error event after the idle timeout", async () => {
    fake.setFault({ kind: "stall_mid_stream", afterChunks: 2, times: 1 });
    const stream = await client.chat.completions.create({ model: "tight/gpt-4o", stream: true, messages: [{ role: "user", content: "one two three four five six" }] });
    let text = "";
    const started = Date.now();
    const e = await (async () => { for await (const c of stream) text += c.choices[0]?.delta.content ?? ""; })().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect(String((e as Error).message)).toMatch(/idle timeout/);
    expect(text.length).toBeGreaterThan(0); // the chunks before the stall did arrive
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("broken upstream connections and bodies", () => {
  it("a dropped connection → 502", async () => {
    fake.setFault({ kind: "drop_connection", times: 1 });
    expect((await errorOf(ask("up/gpt-4o"))).status).toBe(502);
  });

  it("a truncated JSON body → 502", async () => {
    fake.setFault({ kind: "malformed_json", times: 1 });
    const e = await errorOf(ask("up/gpt-4o"));
    expect(e.status).toBe(502);
    expect(e.message).toMatch(/not valid JSON/);
  });

  it("a stream request refused before its first byte gets a plain JSON error with the right status", async () => {
    fake.setFault({ kind: "status", status: 503, times: 1 });
    const res = await request(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "up/gpt-4o", stream: true, messages: [{ role: "user", content: "x" }] }) });
    expect(res.statusCode).toBe(503);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect((await res.body.json() as { error: { type: string } }).error.type).toBeTypeOf("string");
  });

  it("a connection dropped mid-stream ends the stream with an error event, never a hang", async () => {
    fake.setFault({ kind: "drop_mid_stream", afterChunks: 3, times: 1 });
    const res = await request(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "up/gpt-4o", stream: true, messages: [{ role: "user", content: "a b c d e f g h" }] }) });
    expect(res.statusCode).toBe(200);
    const text = await res.body.text();
    const events = text.split("\n\n").filter(Boolean);
    expect(events.length).toBeGreaterThanOrEqual(3);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, "")) as { error?: { message: string; code: string } };
    expect(last.error?.message).toMatch(/provider 'up'/);
    expect(text).not.toContain("[DONE]");
  });
});

describe("client disconnects", () => {
  it("cancel the upstream stream", async () => {
    slowClosedAt = undefined;
    slowChunksSent = 0;
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: "slow/m", stream: true, messages: [{ role: "user", content: "x" }] }, { signal: controller.signal });
    let got = 0;
    await (async () => {
      for await (const _ of stream) {
        if (++got === 2) controller.abort();
      }
    })().catch(() => undefined);
    const abortedAt = Date.now();
    await expect.poll(() => slowClosedAt, { timeout: 3000 }).toBeDefined();
    expect(slowClosedAt! - abortedAt).toBeLessThan(1000);
    const sentAtClose = slowChunksSent;
    await new Promise((r) => setTimeout(r, 300));
    expect(slowChunksSent).toBe(sentAtClose);
  });
});
