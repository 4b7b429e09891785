/**
 * `liaison prompts eval | optimize | list` (the real CLI, in-process runs):
 * a judge:MODEL scorer against a fake upstream that grades, the optimizer
 * against a fake proposer that answers scripted rewrites (it must pick the
 * variant best on the held-out split and save it as a new version, no label
 * moved), the example in examples/prompts, the other scorers, and a bad
 * prompt file refusing the start with the file and the path of the problem.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../../src/index.js";
import { JUDGE_RUBRIC } from "../../src/prompts/judge.js";
import { splitRows } from "../../src/prompts/optimizer.js";
import { startSlowUpstream, type SlowUpstream } from "../workflows/slow-upstream.js";
import { liaison, serveIn, type Json } from "../prompts/prompt-gateway.js";

/** Each CLI run starts a process and a gateway: on a busy machine several take more than the default 30 s. */
const SLOW = { timeout: 120_000 };
const EXAMPLE = new URL("../../examples/prompts/", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "liaison-prompts-cli-"));
const dir = join(tmp, "project");
let grader: SlowUpstream;
let proposer: SlowUpstream;

/** The same database and models as the CLI's config, in-process. */
const LIBRARY = {
  storage: { url: `sqlite://${join(dir, "liaison.db")}` }, providers: { demo: { type: "mock" as const } },
  prices: { "demo/echo": { input: 0, output: 0 } }, models: { fast: { targets: [{ provider: "demo", model: "echo" }] } },
};

/** What a judge's user message shows between `NAME:\n<<<\n` and `\n>>>`. */
const section = (text: string, name: string): string => new RegExp(`${name}:\\n<<<\\n([\\s\\S]*?)\\n>>>`).exec(text)?.[1] ?? "";

const REWRITES = [
  "Here you go:\n```json\n{\"messages\": [{\"role\": \"user\", \"content\": \"{{x}} alpha\"}]}\n```",
  "{\"messages\": [{\"role\": \"user\", \"content\": \"{{ x }} beta\"}]}",
  "{\"messages\": [{\"role\": \"user\", \"content\": \"{{y}} gamma\"}]}",
];

beforeAll(async () => {
  // Grades like a careful model: the expected text in the answer is right; an answer that at least restates the question is worth 3 (said in words, not JSON).
  grader = await startSlowUpstream({
    delayMs: 0,
    reply: (body) => {
      const text = String(body.messages.at(-1)?.content ?? "");
      const answer = section(text, "ANSWER");
      if (answer.includes(section(text, "EXPECTED"))) return '{"score": 10, "reason": "gives the expected answer"}';
      return answer.startsWith("Question") ? "Partly there. Score: 3" : '{"score": 0, "reason": "wrong"}';
    },
  });
  let n = 0;
  proposer = await startSlowUpstream({ delayMs: 0, reply: () => REWRITES[n++ % REWRITES.length]! });
  mkdirSync(join(dir, "prompts"), { recursive: true });
  writeFileSync(join(dir, "liaison.yaml"), [
    "storage: { url: 'sqlite://./liaison.db' }",
    "logging: { level: warn }",
    "providers:",
    "  demo: { type: mock }",
    `  grader: { type: openai, base_url: '${grader.url}', api_key: sk-grader }`,
    `  writer: { type: openai, base_url: '${proposer.url}', api_key: sk-writer }`,
    "prices:",
    "  demo/echo: { input: 0, output: 0 }",
    "models:",
    "  fast: { targets: [ { provider: demo, model: echo } ] }",
  ].join("\n"));
  writeFileSync(join(dir, "prompts", "qa.yaml"), "model: fast\nmessages:\n  - { role: user, content: 'Question: {{q}}' }\n");
  writeFileSync(join(dir, "prompts", "opt.yaml"), "model: fast\nmessages:\n  - { role: system, content: Be brief. }\n  - { role: user, content: '{{x}}' }\n");
  writeFileSync(join(dir, "qa.jsonl"), Array.from({ length: 8 }, (_, i) => JSON.stringify({ variables: { q: `q${i}`, hint: `h${i}` }, expected: `h${i}` })).join("\n"));
});
afterAll(async () => {
  await Promise.all([grader?.close(), proposer?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

describe("eval", SLOW, () => {
  it("judge:MODEL grades through the gateway with the fixed rubric: 1.0 against 0.3", async () => {
    expect((await liaison(["prompts", "list"], dir)).stdout).toMatch(/^qa +1 +1 +- +fast/m); // the file, stored as version 1
    // Version 2 through the library, on the same database: with the hint, which is the expected answer.
    const gateway = createGateway(LIBRARY);
    try {
      expect(await gateway.prompts.create({ name: "qa", model: "fast", messages: [{ role: "user", content: "Question: {{q}} Hint: {{hint}}" }] })).toEqual({ name: "qa", version: 2 });
    } finally {
      await gateway.close();
    }
    const r = await liaison(["prompts", "eval", "--prompt", "qa", "--dataset", "qa.jsonl", "--scorer", "judge:grader/gpt-4o", "--json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.results.map((x: Json) => [x.version, x.n, x.mean])).toEqual([[1, 8, 0.3], [2, 8, 1]]);
    // Graded scores get a bootstrap interval; every row the same score makes it a point.
    expect(report.interval).toEqual({ 1: "bootstrap", 2: "wilson" });
    expect(report.results[0]).toMatchObject({ ci_low: 0.3, ci_high: 0.3 });
    expect(report.winner).toEqual({ version: 2, significant: true });
    expect(report.judge_cost_usd).toBeGreaterThan(0); // gpt-4o has a catalogue price
    expect(grader.requests).toHaveLength(16);
    const asked = grader.requests[0]!.body as Json;
    expect(asked).toMatchObject({ model: "gpt-4o", temperature: 0, messages: [{ role: "system", content: JUDGE_RUBRIC }, { role: "user" }] });
    expect(asked.messages[1].content).toMatch(/^QUESTION:\n<<<\n\[user\] Question: q\d/);
    expect(r.stderr).toMatch(/version 1: 8 rows…\nversion 2: 8 rows…/);
  });

  it.each([
    ["exact", "fast", [{ v: { q: "a" }, e: "Question: a" }, { v: { q: "b" }, e: "Question: B" }], 0.5],
    ["regex", "fast", [{ v: { q: "42" }, e: "/^question: \\d+$/i" }, { v: { q: "x" }, e: "\\d" }], 0.5],
    ["numeric:0.5", "fast", [{ v: { q: "costs 1,234.4" }, e: 1234 }, { v: { q: "is 7" }, e: 8 }], 0.5],
    ["json_schema", "fast", [{ v: { q: "x" }, e: { type: "object" } }], 0],
  ])("the %s scorer", async (scorer, _model, rows, mean) => {
    writeFileSync(join(dir, "rows.jsonl"), rows.map((r) => JSON.stringify({ variables: r.v, expected: r.e })).join("\n"));
    const r = await liaison(["prompts", "eval", "--prompt", "qa", "--versions", "1", "--dataset", "rows.jsonl", "--scorer", scorer, "--json"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results[0].mean).toBe(mean);
  });

  it("refuses what it cannot run before calling any model: a missing variable, an unknown scorer", async () => {
    writeFileSync(join(dir, "short.jsonl"), JSON.stringify({ variables: {}, expected: "x" }));
    const missing = await liaison(["prompts", "eval", "--prompt", "qa", "--dataset", "short.jsonl", "--scorer", "contains"], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Dataset row 1: missing variable 'q' for prompt 'qa' version 1/);
    const unknown = await liaison(["prompts", "eval", "--prompt", "qa", "--dataset", "qa.jsonl", "--scorer", "fuzzy"], dir);
    expect(unknown.stderr).toMatch(/Unknown scorer 'fuzzy': use one of exact, contains, regex, json_schema, numeric, judge:MODEL/);
  });
});

describe("optimize", SLOW, () => {
  it("picks the variant best on the held-out split and saves it as a new version, without moving a label", async () => {
    // Rows where "alpha" is right on the training split and "beta" on the held-out one: the proposer's first
    // rewrite wins the training rounds, the second the held-out comparison. The split is the optimizer's own (seed 7).
    const rows = Array.from({ length: 10 }, (_, i) => ({ variables: { x: `row ${i}` }, expected: "" }));
    const heldOut = new Set(splitRows(rows, 0.3, 7).holdout);
    for (const r of rows) r.expected = heldOut.has(r) ? "beta" : "alpha";
    writeFileSync(join(dir, "opt.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
    expect((await liaison(["prompts", "list"], dir)).stdout).toMatch(/^opt +1 /m); // prompts/opt.yaml, stored as version 1
    const gateway = createGateway(LIBRARY);
    try {
      expect(await gateway.prompts.setLabel("opt", "production", 1)).toEqual({ name: "opt", label: "production", version: 1 });
    } finally {
      await gateway.close();
    }

    const r = await liaison(["prompts", "optimize", "--prompt", "opt", "--dataset", "opt.jsonl", "--scorer", "contains", "--proposer", "writer/gpt-4o",
      "--rounds", "2", "--rewrites", "3", "--shots", "2", "--seed", "7", "--json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ prompt: "opt", base_version: 1, split: { train: 7, holdout: 3 }, rounds: 1, improved: true, saved: { version: 2 } });
    const byId = Object.fromEntries(report.candidates.map((c: Json) => [c.id, c]));
    expect(byId.c1).toMatchObject({ origin: "rewrite", parent: "c0", train: { mean: 1 }, holdout: { mean: 0 } });
    expect(byId.c2).toMatchObject({ origin: "rewrite", parent: "c0", train: { mean: 0 }, holdout: { mean: 1 } });
    expect(byId.c3).toMatchObject({ origin: "fewshot", demos: 2 });
    expect(report.best).toEqual({ candidate: "c2", holdout: { n: 3, mean: 1, ci_low: expect.any(Number), ci_high: 1 } });
    expect(report.rejected).toEqual([{ parent: "c0", round: 1, reason: expect.stringMatching(/placeholders \["y"\], not the original's \["x"\]/) }]);
    // The proposer saw the template and the training failures.
    const first = String(proposer.requests[0]!.body.messages[1]!.content);
    expect(first).toContain("FAILURES (7 of the training inputs");
    expect(first).toMatch(/INPUT:\nrow \d\nANSWER:\nrow \d\nEXPECTED:\nalpha/);

    const list = await liaison(["prompts", "list", "--json"], dir);
    const opt = JSON.parse(list.stdout).data.find((p: Json) => p.name === "opt");
    expect(opt).toMatchObject({ versions: [1, 2], labels: { production: 1 }, latest: { version: 2, messages: [{ role: "user", content: "{{ x }} beta" }] } });
    expect(opt.latest.description).toMatch(/^Optimized from version 1 by liaison prompts optimize/);
  });
});

describe("examples/prompts, against the mock provider", SLOW, () => {
  it("eval, optimize (a new version 2), eval again: version 2 wins, and an unchanged file is not stored again", async () => {
    const copy = join(tmp, "example");
    cpSync(EXAMPLE, copy, { recursive: true, filter: (src) => !/liaison\.db/.test(src) });
    const eval1 = await liaison(["prompts", "eval", "--prompt", "support-reply", "--dataset", "support.jsonl", "--scorer", "contains"], copy);
    expect(eval1.code, eval1.stderr).toBe(0);
    expect(eval1.stdout).toMatch(/^1 +- +12 +0\.000 +\[0\.000, 0\.242\]/m);
    const opt = await liaison(["prompts", "optimize", "--prompt", "support-reply", "--dataset", "support.jsonl", "--scorer", "contains", "--rounds", "2", "--proposer", "proposer"], copy);
    expect(opt.code, opt.stderr).toBe(0);
    expect(opt.stdout).toMatch(/saved as version 2 \(no label moved/);
    const eval2 = await liaison(["prompts", "eval", "--prompt", "support-reply", "--dataset", "support.jsonl", "--scorer", "contains", "--json"], copy);
    const report = JSON.parse(eval2.stdout);
    expect(report.results.map((x: Json) => [x.version, x.mean])).toEqual([[1, 0], [2, 1]]);
    expect(report.winner).toEqual({ version: 2, significant: true });
  });
});

describe("serve reads ./prompts at start", SLOW, () => {
  it("a bad file stops the start, naming the file and the path", async () => {
    const bad = join(tmp, "bad");
    mkdirSync(join(bad, "prompts"), { recursive: true });
    writeFileSync(join(bad, "prompts", "broken.yaml"), "messages:\n  - { role: user, content: hi, colour: blue }\n");
    await expect(serveIn(bad, { storage: { url: "memory:" } })).rejects.toThrow(/Invalid prompt in prompts\/broken\.yaml: messages\[0\]\.colour: unknown field/);
  });
});
