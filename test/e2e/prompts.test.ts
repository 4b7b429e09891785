/**
 * The prompt registry through the real server (bin/liaison.js serve), on
 * SQLite and on PostgreSQL: the ./prompts files loaded at start (a changed
 * file becoming the next version), versions and labels, who may write,
 * completions rendered from a version (whole and streamed, with the
 * official openai client) and their errors, the prompt and version in the
 * log rows (GET /admin/logs?prompt=, /admin/usage?group_by=prompt), and an
 * evaluation run by the CLI on the same database, stored and listed by
 * GET /v1/prompts/{name}/evals, scoring exactly 1.0 against 0.0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { Stream } from "openai/streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropSchemas, PG_URL, pgAdmin, uniqueSchema } from "../store/pg-test-db.js";
import { apiOf, liaison, serveIn, type Json, type Served } from "../prompts/prompt-gateway.js";

const ADMIN = "sk-prompts-admin";
const GREET = `description: Greets someone
model: fast
params: { temperature: 0.2 }
messages:
  - { role: system, content: "You greet people." }
  - { role: user, content: "Say hello to {{name}} from {{ place }}." }
`;
const QA_V1 = { name: "qa", model: "fast", messages: [{ role: "user", content: "Question: {{q}}" }], description: "first" };
const QA_V2 = { name: "qa", model: "fast", messages: [{ role: "user", content: "Question: {{q}} Hint: {{hint}}" }], description: "with the hint" };
const DATASET = Array.from({ length: 10 }, (_, i) => JSON.stringify({ variables: { q: `question ${i}`, hint: `answer-${i}` }, expected: `answer-${i}` })).join("\n");

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

const BACKENDS: [string, () => Promise<string>][] = [
  ["SQLite", async () => "sqlite://./liaison.db"],
  ["PostgreSQL", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    await pgAdmin(`create schema "${schema}"`);
    return `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }],
];

describe.each(BACKENDS)("the prompt registry on %s", (_name, storageUrl) => {
  const dir = mkdtempSync(join(tmpdir(), "liaison-prompts-"));
  let config: Record<string, unknown>;
  let gw: Served;
  let api: ReturnType<typeof apiOf>;
  let client: OpenAI;
  let member: string;
  let manager: string;

  beforeAll(async () => {
    mkdirSync(join(dir, "prompts"));
    writeFileSync(join(dir, "prompts", "greet.yaml"), GREET);
    writeFileSync(join(dir, "qa.jsonl"), DATASET);
    config = {
      admin_key: ADMIN,
      storage: { url: await storageUrl() },
      logging: { level: "warn", flush_interval_ms: 20 },
      providers: { demo: { type: "mock" } },
      prices: { "demo/echo": { input: 0, output: 0 } },
      models: { fast: { targets: [{ provider: "demo", model: "echo" }] } },
    };
    gw = await serveIn(dir, config);
    api = apiOf(gw.url, ADMIN);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: ADMIN, maxRetries: 0 });
    const team = (await api("POST", "/admin/teams", { body: { name: "prompt-team" } })).body.id as string;
    member = (await api("POST", "/admin/keys", { body: { name: "member", team_id: team, role: "member" } })).body.key as string;
    manager = (await api("POST", "/admin/keys", { body: { name: "manager", team_id: team, role: "manager" } })).body.key as string;
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads prompts/*.yaml at start", async () => {
    const got = await api("GET", "/v1/prompts/greet", { key: member });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      name: "greet",
      latest: {
        version: 1, model: "fast", params: { temperature: 0.2 }, description: "Greets someone", created_at: expect.any(String),
        messages: [{ role: "system", content: "You greet people." }, { role: "user", content: "Say hello to {{name}} from {{ place }}." }],
      },
      versions: [1],
      labels: {},
    });
    const list = await api("GET", "/v1/prompts", { key: member });
    expect(list.body.data.map((p: Json) => p.name)).toEqual(["greet"]);
  });

  it("POST adds version n+1; an admin or manager may write, a member gets 403", async () => {
    const refused = await api("POST", "/v1/prompts", { key: member, body: QA_V1 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("permission_denied");
    expect(await api("POST", "/v1/prompts", { key: manager, body: QA_V1 })).toMatchObject({ status: 201, body: { name: "qa", version: 1 } });
    expect(await api("POST", "/v1/prompts", { body: QA_V2 })).toMatchObject({ status: 201, body: { name: "qa", version: 2 } });
    const qa = (await api("GET", "/v1/prompts/qa", { key: member })).body;
    expect(qa).toMatchObject({ name: "qa", latest: { version: 2, description: "with the hint" }, versions: [1, 2], labels: {} });
    const v1 = await api("GET", "/v1/prompts/qa/versions/1", { key: member });
    expect(v1.body).toEqual({ name: "qa", version: 1, messages: QA_V1.messages, model: "fast", params: {}, description: "first", created_at: expect.any(String) });
    expect((await api("GET", "/v1/prompts/qa/versions/9")).status).toBe(404);
    expect((await api("GET", "/v1/prompts/nope")).body.error).toMatchObject({ type: "not_found_error", code: "prompt_not_found" });
  });

  it.each([
    ["an unknown field", "messages[0].contnet", { name: "bad", messages: [{ role: "user", contnet: "x" }] }],
    ["a stray {{", "messages[0].content", { name: "bad", messages: [{ role: "user", content: "{{ two words }}" }] }],
    ["a model no key could reach", "model", { name: "bad", model: "nowhere-model", messages: [{ role: "user", content: "x" }] }],
    ["stream among the params", "params.stream", { name: "bad", messages: [{ role: "user", content: "x" }], params: { stream: true } }],
  ])("an invalid prompt (%s) is a 400 naming %s", async (_what, path, body) => {
    const r = await api("POST", "/v1/prompts", { body });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_prompt", param: path });
  });

  it("labels: an admin or manager moves them, a member gets 403, an unknown version is a 400", async () => {
    expect((await api("PUT", "/v1/prompts/qa/labels/production", { key: member, body: { version: 1 } })).status).toBe(403);
    expect(await api("PUT", "/v1/prompts/qa/labels/production", { key: manager, body: { version: 1 } })).toMatchObject({ status: 200, body: { name: "qa", label: "production", version: 1 } });
    expect(await api("PUT", "/v1/prompts/qa/labels/staging", { body: { version: 2 } })).toMatchObject({ status: 200 });
    const bad = await api("PUT", "/v1/prompts/qa/labels/staging", { body: { version: 7 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("version");
    expect((await api("GET", "/v1/prompts/qa")).body.labels).toEqual({ production: 1, staging: 2 });
    expect((await api("DELETE", "/v1/prompts/qa/labels/staging", { key: manager })).status).toBe(200);
    expect((await api("GET", "/v1/prompts/qa")).body.labels).toEqual({ production: 1 });
  });

  it("completes through the pipeline: production by default, else a version or label, whole and streamed (openai client)", async () => {
    const member_ = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: member, maxRetries: 0 });
    const { data, response } = await member_.post<ChatCompletion>("/prompts/greet/completions", { body: { variables: { name: "Ada", place: "London" } } }).withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]!.message.content).toBe("Say hello to Ada from London.");
    expect(response.headers.get("x-liaison-provider")).toBe("demo");
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);

    const ask = async (body: Record<string, unknown>) => (await client.post<ChatCompletion>("/prompts/qa/completions", { body })).choices[0]!.message.content;
    expect(await ask({ variables: { q: "why", hint: "because" } })).toBe("Question: why"); // production = 1
    expect(await ask({ variables: { q: "why", hint: "because" }, version: 2 })).toBe("Question: why Hint: because");
    expect(await ask({ variables: { q: "why" }, label: "production", model: "demo/echo" })).toBe("Question: why");

    const stream = await client.post<Stream<ChatCompletionChunk>>("/prompts/qa/completions", { body: { variables: { q: "streamed", hint: "yes" }, version: 2, stream: true }, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Question: streamed Hint: yes");
  });

  it("a missing variable is a 400 naming it; an unknown prompt or label a 404", async () => {
    const missing = await api("POST", "/v1/prompts/greet/completions", { key: member, body: { variables: { name: "Ada" } } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: "invalid_request_error", param: "variables.place", code: "missing_variable" });
    expect(missing.body.error.message).toMatch(/'place'/);
    await expect(client.post("/prompts/greet/completions", { body: { variables: {} } })).rejects.toMatchObject({ status: 400 });
    expect((await api("POST", "/v1/prompts/nope/completions", { body: { variables: {} } })).status).toBe(404);
    expect((await api("POST", "/v1/prompts/qa/completions", { body: { variables: { q: "x" }, label: "canary" } })).status).toBe(404);
    expect((await api("POST", "/v1/prompts/qa/completions", { body: { variables: { q: "x" }, version: 5 } })).status).toBe(404);
    expect((await api("POST", "/v1/prompts/qa/completions", { body: { variables: { q: "x" }, version: 1, label: "production" } })).status).toBe(400);
  });

  it("log rows carry prompt and prompt_version; /admin/logs?prompt= filters and /admin/usage?group_by=prompt groups", async () => {
    await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "not from a prompt" }] });
    const rows = async (q: string) => (await api("GET", `/admin/logs?${q}`)).body.data as Json[];
    await expect.poll(async () => (await rows("prompt=qa")).length, { timeout: 10_000 }).toBe(4);
    const qa = await rows("prompt=qa");
    expect(qa.map((r) => r.prompt_version).sort()).toEqual([1, 1, 2, 2]);
    expect(qa.every((r) => r.prompt === "qa" && r.endpoint === "/v1/chat/completions" && r.status === 200)).toBe(true);
    const greet = await rows("prompt=greet");
    expect(greet).toHaveLength(1);
    expect(greet[0]).toMatchObject({ prompt: "greet", prompt_version: 1, model: "fast" });
    expect((await api("GET", `/admin/logs/${greet[0].id}`)).body).toMatchObject({ prompt: "greet", prompt_version: 1 });
    await expect.poll(async () => (await rows("model=fast")).some((r) => r.prompt === null)).toBe(true);

    const usage = (await api("GET", "/admin/usage?group_by=prompt")).body.data as Json[];
    const byGroup = Object.fromEntries(usage.map((u) => [u.group, u.requests]));
    expect(byGroup.qa).toBe(4);
    expect(byGroup.greet).toBe(1);
    expect(byGroup.null ?? 0).toBeGreaterThanOrEqual(1);
  });

  it("the CLI's evaluation on the same database scores 1.0 against 0.0, is stored and listed by GET …/evals", async () => {
    const r = await liaison(["prompts", "eval", "--prompt", "qa", "--versions", "1,2", "--dataset", "qa.jsonl", "--scorer", "contains", "--json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.results).toEqual([
      { version: 1, n: 10, mean: 0, ci_low: 0, ci_high: expect.closeTo(0.2775, 3), cost_usd: 0, p50_ms: expect.any(Number) },
      { version: 2, n: 10, mean: 1, ci_low: expect.closeTo(0.7225, 3), ci_high: 1, cost_usd: 0, p50_ms: expect.any(Number) },
    ]);
    expect(report.results[0].ci_high).toBeLessThan(report.results[1].ci_low);
    expect(report.winner).toEqual({ version: 2, significant: true });

    const evals = await api("GET", "/v1/prompts/qa/evals", { key: member });
    expect(evals.status).toBe(200);
    expect(evals.body.data[0]).toMatchObject({ id: report.id, prompt: "qa", scorer: "contains", results: report.results, winner: report.winner });
    expect((await api("GET", "/v1/prompts/nope/evals")).status).toBe(404);
    // The evaluation's calls are logged with the version they ran.
    await expect.poll(async () => (await api("GET", "/admin/logs?prompt=qa&limit=100")).body.data.length, { timeout: 10_000 }).toBe(24);
  }, 120_000);

  it("a changed file becomes the next version at the next start; an unchanged one does not", async () => {
    await gw.stop();
    gw = await serveIn(dir, config);
    api = apiOf(gw.url, ADMIN);
    expect((await api("GET", "/v1/prompts/greet")).body.versions).toEqual([1]);
    await gw.stop();
    writeFileSync(join(dir, "prompts", "greet.yaml"), GREET.replace("You greet people.", "You greet people warmly."));
    gw = await serveIn(dir, config);
    api = apiOf(gw.url, ADMIN);
    const greet = (await api("GET", "/v1/prompts/greet")).body;
    expect(greet.versions).toEqual([1, 2]);
    expect(greet.latest.messages[0].content).toBe("You greet people warmly.");
  }, 120_000); // two restarts: slow on a busy machine
});
