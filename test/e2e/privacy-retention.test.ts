/**
 * Personal data stays out of storage (and, when asked, out of upstream
 * requests); old rows and bodies go away on the retention schedule.
 */
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const SECRET_TEXT = "Mail jane.doe@example.com, card 4111 1111 1111 1111, key sk-proj-4f9aQ2lZ8xR7mN3bV6cT1yW5eU0iO9pA";
let fake: FakeServer;
const gws: CliServer[] = [];

beforeAll(async () => {
  fake = await startOpenAIFake();
});
afterAll(async () => {
  await Promise.all(gws.map((g) => g.dispose()));
  await fake?.close();
});

async function rowOf(gw: CliServer, id: string): Promise<{ request_body: unknown; response_body: unknown; metadata: unknown } | undefined> {
  const res = await request(`${gw.url}/admin/logs/${id}`);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  return (await res.body.json()) as never;
}

it("bodies and metadata are stored redacted; the upstream still gets the prompt by default", async () => {
  const gw = await startCli({ logging: { level: "warn", bodies: true, flush_interval_ms: 20 }, providers: { up: { type: "openai", base_url: fake.url } } });
  gws.push(gw);
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: "up/gpt-4o", messages: [{ role: "user", content: SECRET_TEXT }] }, { headers: { "x-liaison-metadata": '{"owner":"ops@example.com"}' } }).withResponse();
  expect((fake.requests.at(-1)!.body as { messages: { content: string }[] }).messages[0]!.content).toBe(SECRET_TEXT);
  let row: Awaited<ReturnType<typeof rowOf>>;
  await expect.poll(async () => (row = await rowOf(gw, response.headers.get("x-request-id")!)) !== undefined).toBe(true);
  const stored = JSON.stringify(row);
  for (const leaked of ["jane.doe@example.com", "4111 1111 1111 1111", "sk-proj-4f9aQ2lZ8xR7mN3bV6cT1yW5eU0iO9pA", "ops@example.com"]) expect(stored).not.toContain(leaked);
  expect(stored).toContain("[REDACTED:EMAIL]");
  expect(stored).toContain("[REDACTED:CARD]");
  expect(stored).toContain("[REDACTED:SECRET]");
});

it("before_upstream: the provider never sees the personal data either", async () => {
  const gw = await startCli({
    logging: { level: "warn" },
    privacy: { redact: { before_upstream: true, custom: [{ name: "employee_id", pattern: "EMP-\\d{6}" }] } },
    providers: { up: { type: "openai", base_url: fake.url } },
  });
  gws.push(gw);
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  await client.chat.completions.create({ model: "up/gpt-4o", messages: [{ role: "user", content: `${SECRET_TEXT} for EMP-123456` }] });
  const sent = (fake.requests.at(-1)!.body as { model: string; messages: { content: string }[] });
  expect(sent.model).toBe("gpt-4o");
  expect(sent.messages[0]!.content).not.toContain("jane.doe@example.com");
  expect(sent.messages[0]!.content).toContain("[REDACTED:EMPLOYEE_ID]");
});

it("retention deletes old rows in the background", async () => {
  // ~0.4 s of age is enough to go, checked every 200 ms.
  const gw = await startCli({ logging: { level: "warn", flush_interval_ms: 20, retention: { rows_days: 0.4 / 86_400, interval_ms: 200 } } });
  gws.push(gw);
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "x", maxRetries: 0 });
  await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "short-lived" }] });
  const count = async () => ((await (await request(`${gw.url}/admin/logs`)).body.json()) as { data: unknown[] }).data.length;
  await expect.poll(count, { timeout: 1000 }).toBe(1);
  await expect.poll(count, { timeout: 5000, interval: 200 }).toBe(0);
});
