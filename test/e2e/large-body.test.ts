/**
 * A body over server.body_limit_mb reaches an SDK as the gateway's typed 413,
 * not as a connection error: the gateway answers at once and reads the rest
 * of the body and drops it (up to a bound) instead of closing on a client
 * still writing. Beyond the bound the connection is closed.
 */
import { Readable } from "node:stream";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

let gw: CliServer;
beforeAll(async () => {
  gw = await startCli({ server: { body_limit_mb: 1 } });
});
afterAll(async () => {
  await gw?.dispose();
});

it("the official openai client gets an APIError 413 with the gateway's message for a 50 MB body", async () => {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  const big = "x".repeat(50 * 1024 * 1024);
  const err = await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: big }] }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect(err).not.toBeInstanceOf(OpenAI.APIConnectionError);
  expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
  expect((err as Error).message).toContain("larger than the gateway's limit of 1 MB");
  // The connection was not left broken: the same client is served at once.
  const ok = await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "still here" }] });
  expect(ok.choices[0]!.message.content).toBe("still here");
});

it("a chunked body that grows past the limit gets its 413 too", async () => {
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  async function* body() {
    yield Buffer.from('{"model":"mock/echo","messages":[{"role":"user","content":"');
    for (let i = 0; i < 12; i++) yield chunk;
    yield Buffer.from('"}]}');
  }
  const res = await request(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: Readable.from(body()) });
  expect(res.statusCode).toBe(413);
  expect(await res.body.json()).toMatchObject({ error: { code: "body_too_large" } });
});

it("a declared length past the drain bound is refused at once, without reading it", async () => {
  const res = await request(`${gw.url}/v1/chat/completions`, {
    method: "POST", headers: { "content-type": "application/json", "content-length": String(200 * 1024 * 1024) }, body: "{}",
  }).catch((e: unknown) => e);
  // Either the 413 arrived before the client gave up sending, or the connection closed: never a hang.
  if (!(res instanceof Error)) expect((res as { statusCode: number }).statusCode).toBe(413);
});
