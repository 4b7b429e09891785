/**
 * `gateway.prompts` in-process (createGateway, a memory store): the same
 * operations as the HTTP API and the CLI — versions, labels, completions
 * whole and streamed (logged with the prompt and version), evaluation and
 * optimization with the mock provider — and the ./prompts files synced at
 * open (Prompts.open with a folder of its own).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createGateway } from "../../src/index.js";
import { Prompts } from "../../src/prompts/index.js";

const PROPOSAL = '{"messages": [{"role": "user", "content": "Translate {{text}} into French"}]}';
const gateway = createGateway({
  storage: { url: "memory:" },
  logging: { level: "warn", flush_interval_ms: 10 },
  providers: { demo: { type: "mock" }, writer: { type: "mock", text: PROPOSAL } },
  prices: { "demo/echo": { input: 0, output: 0 }, "writer/fixed": { input: 0, output: 0 } },
  models: { fast: { targets: [{ provider: "demo", model: "echo" }] } },
});
const tmp = mkdtempSync(join(tmpdir(), "liaison-prompts-lib-"));
afterAll(async () => {
  await gateway.close();
  rmSync(tmp, { recursive: true, force: true });
});

const TRANSLATE = { name: "translate", model: "fast", messages: [{ role: "system", content: "You translate." }, { role: "user", content: "Translate {{text}}" }] };
const rows = ["cat", "dog", "bird", "fish", "horse", "cow", "hen", "duck"].map((text) => ({ variables: { text, lang: "French" }, expected: "French" }));

describe("gateway.prompts", () => {
  it("creates versions, moves labels, reads them back", async () => {
    expect(await gateway.prompts.create(TRANSLATE)).toEqual({ name: "translate", version: 1 });
    expect(await gateway.prompts.create({ ...TRANSLATE, params: { temperature: 0 } })).toEqual({ name: "translate", version: 2 });
    expect(await gateway.prompts.setLabel("translate", "production", 1)).toEqual({ name: "translate", label: "production", version: 1 });
    const got = await gateway.prompts.get("translate");
    expect(got).toMatchObject({ versions: [1, 2], labels: { production: 1 }, latest: { version: 2, params: { temperature: 0 } } });
    expect((await gateway.prompts.version("translate", 1)).params).toEqual({});
    expect((await gateway.prompts.list()).map((p) => p.name)).toEqual(["translate"]);
    await expect(gateway.prompts.get("nope")).rejects.toMatchObject({ status: 404 });
  });

  it("completes whole and streamed, the production version by default; the log row names the prompt", async () => {
    const whole = await gateway.prompts.complete("translate", { variables: { text: "cat" } }, { requestId: "req_prompt_lib_1" });
    expect(whole.choices[0]!.message.content).toBe("Translate cat");
    let text = "";
    for await (const chunk of gateway.prompts.completeStream("translate", { variables: { text: "a dog" }, version: 2 })) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Translate a dog");
    await expect(gateway.prompts.complete("translate", { variables: {} })).rejects.toMatchObject({ status: 400, param: "variables.text" });
    const store = (await gateway.engine()).store!;
    await expect.poll(async () => (await store.getLog("req_prompt_lib_1"))?.prompt_version, { timeout: 5_000 }).toBe(1);
    await expect.poll(async () => (await store.queryLogs({ prompt: "translate" })).data.length).toBe(2);
  });

  it("evaluates versions (labels too) and keeps the reports", async () => {
    await gateway.prompts.create({ ...TRANSLATE, messages: [TRANSLATE.messages[0]!, { role: "user", content: "Translate {{text}} into {{lang}}" }] });
    const byLabel = await gateway.prompts.eval({ prompt: "translate", labels: ["production"], rows, scorer: "contains" });
    expect(byLabel.results).toEqual([{ version: 1, label: "production", n: 8, mean: 0, ci_low: 0, ci_high: expect.any(Number), cost_usd: 0, p50_ms: expect.any(Number) }]);
    const progress: string[] = [];
    const all = await gateway.prompts.eval({ prompt: "translate", rows, scorer: "contains", onProgress: (p) => p.done === p.total && progress.push(p.label) });
    expect(all.results.map((r) => [r.version, r.mean])).toEqual([[1, 0], [2, 0], [3, 1]]);
    expect(all.winner).toEqual({ version: 3, significant: true });
    expect(progress).toEqual(["version 1", "version 2", "version 3"]);
    expect((await gateway.prompts.evals("translate")).map((e) => e.id)).toEqual([all.id, byLabel.id]);
    await expect(gateway.prompts.eval({ prompt: "translate", rows: [{ variables: { text: "x" }, expected: "y" }], scorer: "contains", versions: [3] })).rejects.toThrow(/missing variable 'lang'/);
  });

  it("optimizes: the proposer's rewrite beats version 1 on the held-out rows and is saved, the label left alone", async () => {
    const report = await gateway.prompts.optimize({ prompt: "translate", version: 1, rows, scorer: "contains", proposer: "writer/fixed", rounds: 2 });
    expect(report).toMatchObject({ base_version: 1, improved: true, saved: { version: 4 }, best: { holdout: { mean: 1 } }, original: { holdout: { mean: 0 } } });
    const got = await gateway.prompts.get("translate");
    expect(got.labels).toEqual({ production: 1 });
    expect(got.latest.messages).toEqual([{ role: "user", content: "Translate {{text}} into French" }]);
    expect(got.latest.description).toMatch(/^Optimized from version 1/);
    // Nothing is saved unless it beats the original: version 4 is already right on every training row.
    const again = await gateway.prompts.optimize({ prompt: "translate", version: 4, rows, scorer: "contains", proposer: "writer/fixed", save: true });
    expect(again).toMatchObject({ improved: false, saved: null, rounds: 0 });
  });
});

describe("prompts/*.yaml at open", () => {
  const file = (dir: string, name: string, text: string) => writeFileSync(join(dir, name), text);

  it("a new or changed file becomes the next version; an unchanged one does not push down a version added since", async () => {
    const dir = join(tmp, "prompts");
    mkdirSync(dir);
    file(dir, "hello.yaml", "model: fast\nmessages:\n  - { role: user, content: 'Hello {{who}}' }\n");
    const engine = await gateway.engine();
    const p = await Prompts.open(engine, { dir });
    expect((await p.get("hello")).versions).toEqual([1]);
    await p.create({ name: "hello", model: "fast", messages: [{ role: "user", content: "Hi {{who}}" }] });
    await Prompts.open(engine, { dir });
    expect((await p.get("hello")).versions).toEqual([1, 2]);
    file(dir, "hello.yaml", "model: fast\ndescription: changed\nmessages:\n  - { role: user, content: 'Hello {{who}}' }\n");
    await Prompts.open(engine, { dir });
    expect((await p.get("hello")).latest).toMatchObject({ version: 3, description: "changed" });
  });

  it("refuses two files of one name, a name that differs from the file's, a model no key could reach", async () => {
    const engine = await gateway.engine();
    const dir = (name: string, files: Record<string, string>) => {
      const d = join(tmp, name);
      mkdirSync(d);
      for (const [f, text] of Object.entries(files)) file(d, f, text);
      return d;
    };
    const ok = "messages:\n  - { role: user, content: x }\n";
    await expect(Prompts.open(engine, { dir: dir("twice", { "a.yaml": ok, "a.json": '{"messages": [{"role": "user", "content": "y"}]}' }) })).rejects.toThrow(/Invalid prompt in .*a\.yaml: name: 'a' is also the name of .*a\.json/);
    await expect(Prompts.open(engine, { dir: dir("renamed", { "b.yaml": `name: c\n${ok}` }) })).rejects.toThrow(/b\.yaml: name: 'c' differs from the file's name 'b'/);
    await expect(Prompts.open(engine, { dir: dir("model", { "d.yaml": `model: nowhere\n${ok}` }) })).rejects.toThrow(/d\.yaml: model: the model 'nowhere' cannot be routed/);
    await expect(Prompts.open(engine, { dir: dir("yaml", { "e.yaml": "messages: [oops" }) })).rejects.toThrow(/e\.yaml: \(yaml\)/);
  });
});
