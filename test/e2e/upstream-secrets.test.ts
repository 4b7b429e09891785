/**
 * An upstream that quotes the credential it received in its error text (real
 * ones do for a malformed key): the gateway passes the error on without the
 * credential — to the client on chat, stream and /v1/messages, and into the
 * request log's attempt_log, which the redactor also covers.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const SECRET = "sk-live-0123456789abcdefSECRET";
const HEADER_SECRET = "hdr-tok-9876543210zyxwvu";

let fake: FakeServer;
let gw: CliServer;
beforeAll(async () => {
  fake = await startOpenAIFake({});
  gw = await startCli({
    logging: { level: "warn", flush_interval_ms: 20 },
    providers: { up: { type: "openai", base_url: fake.url, api_key: SECRET, headers: { "x-org-token": HEADER_SECRET } } },
    routing: { retry: { max_attempts: 2, base_delay_ms: 1, max_delay_ms: 1 } },
  });
});
afterAll(async () => {
  await gw?.dispose();
  await fake?.close();
});

const echoing = (status: number) => ({
  kind: "status" as const,
  status,
  body: { error: { message: `Incorrect API key provided: ${SECRET} (org token ${HEADER_SECRET}); contact jane.doe@example.com`, type: "invalid_request_error", code: "invalid_api_key" } },
});

it("chat, stream and /v1/messages pass the upstream's error on without the credentials", async () => {
  const openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "hi" }];
  for (const stream of [false, true]) {
    fake.setFault(echoing(401));
    const err = await openai.chat.completions.create({ model: "up/gpt-4o-mini", messages, stream }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const message = (err as Error).message;
    expect(message).toContain("Incorrect API key provided: [redacted]");
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(HEADER_SECRET);
  }
  fake.setFault(echoing(401));
  const anthropic = new Anthropic({ baseURL: gw.url, apiKey: "x", maxRetries: 0 });
  const err = await anthropic.messages.create({ model: "up/gpt-4o-mini", max_tokens: 5, messages }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
  expect((err as Error).message).not.toContain(SECRET);
  expect((err as Error).message).toContain("[redacted]");
});

it("the attempt_log keeps neither the credentials nor personal data from an upstream's error text", async () => {
  fake.setFault({ ...echoing(500), times: 2 });
  const res = await request(`${gw.url}/v1/chat/completions`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(res.statusCode).toBe(502);
  const text = await res.body.text();
  expect(text).not.toContain(SECRET);
  const id = res.headers["x-request-id"] as string;
  let row: { attempt_log: { error: string | null }[] | null } | undefined;
  await expect.poll(async () => {
    const r = await request(`${gw.url}/admin/logs/${id}`);
    if (r.statusCode !== 200) {
      await r.body.dump();
      return undefined;
    }
    row = (await r.body.json()) as typeof row;
    return row?.attempt_log?.length;
  }).toBe(2);
  const stored = JSON.stringify(row);
  expect(stored).not.toContain(SECRET);
  expect(stored).not.toContain(HEADER_SECRET);
  expect(stored).not.toContain("jane.doe@example.com");
  expect(stored).toContain("[redacted]");
  expect(gw.stderr()).not.toContain(SECRET);
});
