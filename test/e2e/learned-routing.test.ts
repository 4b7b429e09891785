/**
 * Learned routing through the real server with the official openai client:
 * a router trained here (src/router, as `liaison router train` does) sends
 * a hard prompt and an easy one to different targets, says its score in
 * x-liaison-route-score, the log row and the metrics; POST /v1/feedback
 * stores a score with the row and changes a later decision; a cascade
 * escalates a cut-off answer (one answer to the client, both attempts and
 * both calls' cost in the row).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalogue, usdOf, type UsageLike } from "../../src/cost/index.js";
import { writeRouterFile } from "../../src/router/router-file.js";
import { trainRouter } from "../../src/router/train.js";
import { startOpenAIFake, type FakeServer } from "../fakes/index.js";
import { startCli, type CliServer } from "../helpers/cli-server.js";
import { EASY_PROMPT, HARD_PROMPT, syntheticRows } from "../router/synthetic.js";

const ADMIN = "sk-learned-admin";
const dir = mkdtempSync(join(tmpdir(), "liaison-learned-"));
let weak: FakeServer;
let strong: FakeServer;
let gw: CliServer;
let client: OpenAI;

beforeAll(async () => {
  const routerFile = join(dir, "router.json");
  writeRouterFile(routerFile, trainRouter(syntheticRows(240), { seed: 3 }));
  weak = await startOpenAIFake({ reply: "from the weak model" });
  strong = await startOpenAIFake({ reply: "from the strong model" });
  const targets = [
    { provider: "cheap", model: "gpt-4o-mini", price: { input: 0.15, output: 0.6 } },
    { provider: "dear", model: "gpt-4o", price: { input: 2.5, output: 10 } },
  ];
  gw = await startCli({
    admin_key: ADMIN,
    logging: { level: "error", flush_interval_ms: 20 },
    providers: { cheap: { type: "openai", base_url: weak.url }, dear: { type: "openai", base_url: strong.url } },
    models: {
      smart: { strategy: "learned", router: { file: routerFile, quality: 0.95 }, targets },
      careful: { strategy: "cascade", router: { file: routerFile }, targets },
    },
  });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: ADMIN, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.dispose();
  await Promise.all([weak?.close(), strong?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const ask = (model: string, content: string, extra: Record<string, unknown> = {}, key?: string) =>
  (key ? new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 }) : client).chat.completions.create({ model, messages: [{ role: "user", content }], ...extra }).withResponse();

async function admin(method: "GET" | "POST", path: string, body?: unknown, key = ADMIN): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

async function rowOf(id: string): Promise<Record<string, unknown>> {
  let row: Record<string, unknown> | undefined;
  await expect.poll(async () => {
    const r = await admin("GET", `/admin/logs/${id}`);
    row = r.status === 200 ? r.json : undefined;
    return row !== undefined;
  }, { timeout: 10_000, interval: 50 }).toBe(true); // the log writer flushes off the request path; a loaded machine can take seconds
  return row!;
}

const feedback = (body: Record<string, unknown>, key = ADMIN) => admin("POST", "/v1/feedback", body, key);

describe("strategy: learned", () => {
  it("sends a hard prompt to the strong target and an easy one to the cheap target, with the score in a header, the log row and the metrics", async () => {
    const hard = await ask("smart", HARD_PROMPT);
    const easy = await ask("smart", EASY_PROMPT);
    expect(hard.data.choices[0]!.message.content).toBe("from the strong model");
    expect(easy.data.choices[0]!.message.content).toBe("from the weak model");
    expect(hard.response.headers.get("x-liaison-provider")).toBe("dear");
    expect(easy.response.headers.get("x-liaison-provider")).toBe("cheap");
    const hardScore = Number(hard.response.headers.get("x-liaison-route-score"));
    const easyScore = Number(easy.response.headers.get("x-liaison-route-score"));
    expect(hardScore).toBeGreaterThan(easyScore);
    expect(hardScore).toBeLessThanOrEqual(1);
    expect(easyScore).toBeGreaterThanOrEqual(0);

    const row = await rowOf(hard.response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ route_score: expect.closeTo(hardScore, 3), route_target: "dear/gpt-4o", feedback_score: null });
    const list = await admin("GET", "/admin/logs?model=smart");
    expect((list.json.data as { route_score: number | null }[]).every((r) => typeof r.route_score === "number")).toBe(true);

    const metrics = await (await request(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).body.text();
    expect(metrics).toMatch(/liaison_route_score_count\{model="smart",target="dear\/gpt-4o"\} [1-9]/);
    expect(metrics).toMatch(/liaison_route_score_count\{model="smart",target="cheap\/gpt-4o-mini"\} [1-9]/);
  });

  it("routes a stream the same way, the score in its headers", async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: "smart", messages: [{ role: "user", content: HARD_PROMPT }], stream: true }).withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("from the strong model");
    expect(Number(response.headers.get("x-liaison-route-score"))).toBeGreaterThan(0.5);
  });

  it("learns from feedback: an easy prompt whose cheap answers are rated wrong goes to the strong target later", async () => {
    let first: string | null = null;
    for (let i = 0; i < 30; i++) {
      const { response } = await ask("smart", EASY_PROMPT);
      first = response.headers.get("x-liaison-provider");
      if (first === "dear") break;
      const r = await feedback({ request_id: response.headers.get("x-request-id"), correct: false });
      expect(r).toMatchObject({ status: 200, json: { score: 0, learned: true } });
    }
    expect(first).toBe("dear");
  });
});

describe("POST /v1/feedback", () => {
  it("keeps the score and comment with the log row", async () => {
    const { response } = await ask("smart", "What is the capital of Chile? Answer with one word.");
    const id = response.headers.get("x-request-id")!;
    const r = await feedback({ request_id: id, score: 0.75, comment: "close enough" });
    expect(r).toMatchObject({ status: 200, json: { request_id: id, score: 0.75, comment: "close enough" } });
    expect(await rowOf(id)).toMatchObject({ feedback_score: 0.75, feedback_comment: "close enough" });
  });

  it("answers 400 without a score or correct, and for a score outside 0…1; 404 for an unknown request", async () => {
    const { response } = await ask("smart", EASY_PROMPT);
    const id = response.headers.get("x-request-id");
    expect(await feedback({ request_id: id })).toMatchObject({ status: 400, json: { error: { param: "score" } } });
    expect(await feedback({ request_id: id, score: 2 })).toMatchObject({ status: 400 });
    expect(await feedback({ request_id: id, correct: "yes" })).toMatchObject({ status: 400 });
    expect(await feedback({ score: 1 })).toMatchObject({ status: 400, json: { error: { param: "request_id" } } });
    expect(await feedback({ request_id: "req_nope", correct: true })).toMatchObject({ status: 404 });
  });

  it("lets a key rate only its own team's requests", async () => {
    const teamA = (await admin("POST", "/admin/teams", { name: "a" })).json;
    const teamB = (await admin("POST", "/admin/teams", { name: "b" })).json;
    const keyA = (await admin("POST", "/admin/keys", { name: "a1", team_id: teamA.id })).json;
    const keyA2 = (await admin("POST", "/admin/keys", { name: "a2", team_id: teamA.id })).json;
    const keyB = (await admin("POST", "/admin/keys", { name: "b1", team_id: teamB.id })).json;
    const { response } = await ask("smart", EASY_PROMPT, {}, keyA.key as string);
    const id = response.headers.get("x-request-id");
    expect(await feedback({ request_id: id, correct: true }, keyB.key as string)).toMatchObject({ status: 404 });
    expect(await feedback({ request_id: id, correct: true }, keyA2.key as string)).toMatchObject({ status: 200 });
  });
});

describe("strategy: cascade", () => {
  it("takes a good cheap answer with one call", async () => {
    const { data, response } = await ask("careful", EASY_PROMPT);
    expect(data.choices[0]!.message.content).toBe("from the weak model");
    expect(response.headers.get("x-liaison-attempts")).toBe("1");
    expect(response.headers.get("x-liaison-route-score")).not.toBeNull();
  });

  it("escalates a cut-off answer: one answer, both attempts in the log row, both calls in its cost", async () => {
    const body = { model: "careful", messages: [{ role: "user" as const, content: "Tell me a long story about the sea." }], max_tokens: 2 };
    const { data, response } = await client.chat.completions.create(body).withResponse();
    expect(data.choices[0]!.message.content).toBe("from the");
    expect(response.headers.get("x-liaison-provider")).toBe("dear");
    expect(response.headers.get("x-liaison-attempts")).toBe("2");
    const row = await rowOf(response.headers.get("x-request-id")!);
    expect(row.attempts).toBe(2);
    expect(row.attempt_log).toMatchObject([
      { provider: "cheap", status: 409, error: expect.stringMatching(/^answer_doubtful: .*cut off/), next: "retry" },
      { provider: "dear", status: 200, error: null },
    ]);
    // The cheap call, as the fake answers it directly, plus the strong one.
    const direct = await new OpenAI({ baseURL: weak.url, apiKey: "x" }).chat.completions.create({ ...body, model: "gpt-4o-mini" });
    const catalogue = loadCatalogue();
    const expected = usdOf(direct.usage as UsageLike, "gpt-4o-mini", catalogue)! + usdOf(data.usage as UsageLike, "gpt-4o", catalogue)!;
    expect(row.cost_usd).toBeCloseTo(expected, 9);
    expect(Number(response.headers.get("x-liaison-cost-usd"))).toBeCloseTo(expected, 6);
  });
});
