/**
 * What a fault and security probe found against a fresh gateway, each as a
 * request to the real server process: one crafted header or body must never
 * end the process or get a 500, every request gets an answer, and nothing a
 * client sends can turn into an invalid response header or upstream URL.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "../helpers/cli-server.js";

const ADMIN = "admin-key-hardening-0123456789";
const auth = { authorization: `Bearer ${ADMIN}` };

let gw: CliServer;
beforeAll(async () => {
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "warn", bodies: true, flush_interval_ms: 20 },
    providers: {
      mock: { type: "mock" },
      // Never reached: every request below is refused before anything is sent.
      az: { type: "azure", base_url: "http://127.0.0.1:9", api_key: "az-key-never-used" },
      gem: { type: "gemini", base_url: "http://127.0.0.1:9", api_key: "gem-key-never-used" },
    },
  });
});
afterAll(async () => {
  await gw?.dispose();
});

function nested(depth: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
}
/** The same nesting as JSON text: JSON.stringify itself overflows the stack long before 10 000 levels. */
function nestedText(depth: number): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    open = i % 2 ? `${open}[` : `${open}{"k":`;
    close = (i % 2 ? "]" : "}") + close;
  }
  return `${open}1${close}`;
}
const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }], ...extra });

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { error?: { message: string; param: string | null } } }> {
  const res = await request(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...auth, ...headers }, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text) as { error?: { message: string; param: string | null } } };
}

async function alive(): Promise<void> {
  // A tick for the after-answer bookkeeping, then the process must still answer.
  await new Promise((r) => setTimeout(r, 100));
  expect(gw.proc.exitCode).toBeNull();
  const health = await request(`${gw.url}/health`);
  expect(health.statusCode).toBe(200);
  await health.body.dump();
}

describe("nesting depth", () => {
  it("a metadata header nested 2 000 deep is a 400 naming the limit, and the process lives", async () => {
    const header = `{"a":${nestedText(2_000)}}`;
    const res = await post("/v1/chat/completions", chat(), { "x-liaison-metadata": header });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ param: "x-liaison-metadata" });
    expect(res.json.error!.message).toContain("64");
    await alive();
  });

  it("a metadata header nested within the limit is kept", async () => {
    const res = await post("/v1/chat/completions", chat(), { "x-liaison-metadata": JSON.stringify({ a: nested(20) }) });
    expect(res.status).toBe(200);
  });

  it("bodies nested 10 000 deep are refused with 400 on every endpoint, bodies logged or not", async () => {
    const deep = nestedText(10_000);
    const cases: [string, string][] = [
      ["/v1/chat/completions", `{"model":"mock/echo","messages":${deep}}`],
      ["/v1/completions", `{"model":"mock/echo","prompt":${deep}}`],
      ["/v1/embeddings", `{"model":"mock/echo","input":${deep}}`],
      ["/v1/messages", `{"model":"mock/echo","max_tokens":5,"messages":${deep}}`],
      ["/admin/keys", `{"name":"deep","metadata":${deep}}`],
    ];
    for (const [path, body] of cases) {
      const res = await post(path, body);
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(res.json), path).toContain("server.max_json_depth");
    }
    await alive();
  });

  it("deep tools[].function.parameters and deep key metadata are 400s, not 500s", async () => {
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { x: nested(200) } } } }];
    expect((await post("/v1/chat/completions", chat({ tools }))).status).toBe(400);
    expect((await post("/admin/keys", JSON.stringify({ name: "m", metadata: { x: nested(200) } }))).status).toBe(400);
    await alive();
  });
});

describe("model names and upstream URL segments", () => {
  it.each([
    ["a control character", "mock/ec\u0001ho"],
    ["NUL", "mock/echo\u0000"],
    ["a character above U+00FF", "mock/\u0100cho"],
    ["a dot segment", "mock/../echo"],
    ["an Azure deployment named ..", "az/.."],
  ])("%s is a 400 with an answer, on chat, stream and /v1/messages", async (_what, model) => {
    for (const [path, body] of [
      ["/v1/chat/completions", JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] })],
      ["/v1/chat/completions", JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] })],
      ["/v1/messages", JSON.stringify({ model, max_tokens: 5, messages: [{ role: "user", content: "hi" }] })],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, `${path} ${body}`).toBe(400);
    }
  });

  it("a Gemini image_url that is not a URL is a 400", async () => {
    for (const url of ["http://[", "data:text/plain,%E0%A4%A"]) {
      const res = await post("/v1/chat/completions", JSON.stringify({
        model: "gem/gemini-2.0-flash", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
      }));
      expect(res.status, url).toBe(400);
      expect(res.json.error!.param, url).toContain("image_url");
    }
    await alive();
  });
});

describe("what the fuzzer found", () => {
  it("model names that are Object.prototype's properties are unknown models, not 500s", async () => {
    for (const model of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
      const res = await post("/v1/chat/completions", JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }));
      expect(res.status, model).toBe(404);
    }
  });

  it("a model name longer than 512 characters is a 400 (it would become an oversized header)", async () => {
    const res = await post("/v1/chat/completions", JSON.stringify({ model: `mock/${"a".repeat(20_000)}`, messages: [{ role: "user", content: "hi" }] }));
    expect(res.status).toBe(400);
    expect(res.json.error!.message).toContain("512");
  });

  it("an embeddings request for 2^31 dimensions is a 400, not a process that runs out of memory", async () => {
    for (const model of ["mock/echo", "mock/embed-lexical"]) {
      const res = await post("/v1/embeddings", JSON.stringify({ model, input: "hi", dimensions: 2 ** 31 }));
      expect(res.status, model).toBe(400);
    }
    await alive();
  });

  it("arrays of 200 000 invalid elements are 400s, not stack overflows", async () => {
    const nulls = Array.from({ length: 200_000 }, () => "null").join(",");
    for (const [path, body] of [
      ["/v1/embeddings", `{"model":"mock/echo","input":[[${nulls}]]}`],
      ["/v1/completions", `{"model":"mock/echo","prompt":[[${nulls}]]}`],
      ["/v1/messages", `{"model":"mock/echo","max_tokens":5,"system":[${nulls}],"messages":[{"role":"user","content":"hi"}]}`],
    ] as const) {
      expect((await post(path, body)).status, path).toBe(400);
    }
    await alive();
  });

  it("headers too large on a reused keep-alive connection still get a 431 answer", async () => {
    const { Agent } = await import("undici");
    const agent = new Agent({ connections: 1, maxHeaderSize: 64 * 1024 });
    try {
      const first = await request(`${gw.url}/health`, { dispatcher: agent });
      await first.body.dump();
      const res = await request(`${gw.url}/v1/chat/completions`, {
        dispatcher: agent, method: "POST", body: chat(),
        headers: { "content-type": "application/json", ...auth, "x-liaison-metadata": "[".repeat(20_000) },
      });
      expect(res.statusCode).toBe(431);
      expect(await res.body.json()).toMatchObject({ error: { code: "headers_too_large" } });
    } finally {
      await agent.close();
    }
  });
});

