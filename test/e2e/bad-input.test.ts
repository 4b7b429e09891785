/**
 * Hundreds of malformed and random bodies against the real server: every
 * answer must be a 4xx with OpenAI's error shape, and the server must stay
 * healthy afterwards.
 */
import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { seededRandom as rng } from "../helpers/fixtures.js";

let gw: CliServer;

beforeAll(async () => {
  gw = await startCli({ server: { body_limit_mb: 1 } });
});
afterAll(async () => {
  await gw?.dispose();
});

const rand = rng(20261122);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const randomText = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join("");

const valid = { model: "mock/echo", messages: [{ role: "user", content: "hi" }] };
const WRONG: Record<string, unknown[]> = {
  model: [123, null, [], {}, true, ""],
  messages: ["str", 5, {}, [], [1], [null], [{}], [{ role: "user" }], [{ role: "robot", content: "y" }], [{ role: "user", content: 5 }],
    [{ role: "user", content: [{ type: "video", url: "x" }] }], [{ role: "user", content: [{ type: "text" }] }], [{ role: "tool", content: "r" }],
    [{ role: "user", content: [{ type: "image_url", image_url: {} }] }]],
  temperature: ["hot", -1, 5], top_p: [2, "x"], n: [0, 1.5, "2"], stream: ["yes", 1], max_tokens: [0, -5, "10"],
  tools: ["x", [{}], [{ type: "function", function: { name: "" } }]], stop: [5, [1], ["a", "b", "c", "d", "e"]],
  tool_choice: [5, "sometimes"], response_format: [{ type: "xml" }, "json"], seed: ["s", 1.5], stream_options: ["yes"],
};

interface Case { path: string; body: string | Buffer; contentType?: string; expect?: number }

function makeCase(): Case {
  const kind = Math.floor(rand() * 9);
  const path = pick(["/v1/chat/completions", "/v1/chat/completions", "/v1/completions", "/v1/embeddings"]);
  switch (kind) {
    case 0: return { path, body: `{${randomText(1 + Math.floor(rand() * 40))}` };                      // broken JSON
    case 1: return { path, body: JSON.stringify(pick([1, "s", null, true, [1, 2], [], 3.5])) };           // not an object
    case 2: {                                                                                               // one wrong field
      const field = pick(Object.keys(WRONG));
      return { path: "/v1/chat/completions", body: JSON.stringify({ ...valid, [field]: pick(WRONG[field]!) }) };
    }
    case 3: return { path: "/v1/chat/completions", body: JSON.stringify({ ...valid, model: `nope-${randomText(6).replace(/[^a-z]/gi, "x")}` }), expect: 404 };
    case 4: return { path, body: Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))) }; // random bytes
    case 5: return { path, body: JSON.stringify(valid), contentType: pick(["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x"]), expect: 415 };
    case 6: return { path, body: "", expect: 400 };                                                         // empty body
    case 7: return { path: "/v1/embeddings", body: JSON.stringify(pick([{ model: "mock/echo" }, { model: "mock/echo", input: [] }, { model: "mock/echo", input: 5 }, { model: "mock/echo", input: [null] }, { input: "x" }])) };
    default: {                                                                                              // deeply nested junk
      let v: unknown = randomText(5);
      for (let i = 0; i < 50; i++) v = rand() < 0.5 ? [v] : { k: v };
      return { path: "/v1/completions", body: JSON.stringify({ model: "mock/echo", prompt: v }) };
    }
  }
}

async function send(c: Case): Promise<{ status: number; body: string }> {
  const res = await request(`${gw.url}${c.path}`, {
    method: "POST",
    headers: { "content-type": c.contentType ?? "application/json" },
    body: c.body,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

function expectErrorShape(status: number, body: string, context: string): void {
  expect(status, context).toBeGreaterThanOrEqual(400);
  expect(status, context).toBeLessThan(500);
  const parsed = JSON.parse(body) as { error: { message: unknown; type: unknown; code: unknown; param: unknown } };
  expect(typeof parsed.error.message, context).toBe("string");
  expect((parsed.error.message as string).length, context).toBeGreaterThan(10);
  expect(typeof parsed.error.type, context).toBe("string");
  expect("param" in parsed.error && "code" in parsed.error, context).toBe(true);
}

it("answers 400 malformed and random bodies with OpenAI-shaped 4xx errors and stays healthy", async () => {
  const cases = Array.from({ length: 400 }, makeCase);
  const statuses = new Map<number, number>();
  for (let i = 0; i < cases.length; i += 16) {
    const batch = cases.slice(i, i + 16);
    const results = await Promise.all(batch.map(send));
    results.forEach((r, j) => {
      const c = batch[j]!;
      const context = `${c.path} ${String(c.body).slice(0, 120)} → ${r.status} ${r.body.slice(0, 200)}`;
      expectErrorShape(r.status, r.body, context);
      if (c.expect) expect(r.status, context).toBe(c.expect);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    });
  }
  expect(statuses.get(400)).toBeGreaterThan(200);
  const health = await request(`${gw.url}/health`);
  expect(await health.body.json()).toEqual({ status: "ok" });
  const ok = await send({ path: "/v1/chat/completions", body: JSON.stringify(valid) });
  expect(ok.status).toBe(200);
});

it("rejects a body over the limit with 413 and says what to do", async () => {
  const big = JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(1.5 * 1024 * 1024) }] });
  const r = await send({ path: "/v1/chat/completions", body: big });
  expect(r.status).toBe(413);
  expect(JSON.parse(r.body).error.message).toMatch(/1 MB/);
});

it("rejects bad gateway headers with 400", async () => {
  for (const [name, value] of [["x-liaison-timeout-ms", "soon"], ["x-liaison-timeout-ms", "-1"], ["x-liaison-metadata", "[1]"], ["x-liaison-metadata", "{not json"]]) {
    const res = await request(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", [name!]: value! }, body: JSON.stringify(valid) });
    const body = await res.body.text();
    expectErrorShape(res.statusCode, body, `${name}: ${value}`);
    expect(JSON.parse(body).error.param).toBe(name);
  }
});

it("answers unknown routes and methods with a 404 in the error shape", async () => {
  for (const [method, path] of [["GET", "/v1/chat/completions"], ["POST", "/v2/anything"], ["DELETE", "/v1/models"]] as const) {
    const res = await request(`${gw.url}${path}`, { method });
    expectErrorShape(res.statusCode, await res.body.text(), `${method} ${path}`);
  }
});
