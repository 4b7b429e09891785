/**
 * `liaison workflows list | validate | run` (the real CLI, in-process runs),
 * the examples in examples/workflows against the built-in mock provider,
 * `workflows.dir` read by `serve` at start, and a bad workflow file refusing
 * the start with the file and the path of the problem.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCli } from "../helpers/cli-server.js";

const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;
const EXAMPLES = new URL("../../examples/workflows/", import.meta.url).pathname;

function liaison(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "" } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), "liaison-wf-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the examples, against the mock provider", () => {
  it("lists the four", async () => {
    const r = await liaison(["workflows", "list", "--json"], EXAMPLES);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).data.map((w: { name: string }) => w.name)).toEqual(["code-review", "research", "translate", "triage"]);
  });

  it("validates each file", async () => {
    for (const name of ["code-review", "research", "translate", "triage"]) {
      const r = await liaison(["workflows", "validate", `workflows/${name}.yaml`], EXAMPLES);
      expect(r.stdout).toMatch(new RegExp(`^workflows/${name}.yaml: ok \\(workflow ${name}, \\d steps\\)`));
    }
  });

  it("runs translate: progress on stderr, outputs on stdout", async () => {
    const r = await liaison(["workflows", "run", "translate", "--input", "text=Good morning"], EXAMPLES);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("language: English\ntranslation: Good morning\nnote: Original (English): Good morning\nFrench: Good morning\n");
    expect(r.stderr).toMatch(/… detect \(classifier\)\n✓ detect .*\n… translate \(smart\)\n✓ translate .*\n… format \(fast\)\n✓ format .*\n✓ run wfrun_\w+ succeeded/);
  });

  it.each([
    ["research", ["topic=tides"], { summary: "Topic: tides" }],
    ["code-review", ["code=while (true) {}"], { severity: "medium" }],
    ["triage", ["message=I was charged twice"], { sentiment: "negative", urgency: "high", topics: ["billing", "login"], escalate: true }],
    ["translate", ["text=Bonjour", "target=English"], { language: "English", translation: "Bonjour" }],
  ])("runs %s (--json: the run record)", async (name, inputs, outputs) => {
    const r = await liaison(["workflows", "run", name, ...inputs.flatMap((i) => ["--input", i]), "--json"], EXAMPLES);
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(r.stdout);
    expect(record).toMatchObject({ workflow: name, status: "succeeded", outputs });
    if (name === "translate") expect(record.steps[1]).toMatchObject({ id: "translate", status: "skipped" });
  });

  it("a missing input exits non-zero naming it", async () => {
    const r = await liaison(["workflows", "run", "translate"], EXAMPLES);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required input 'text'/);
  });
});

describe("validate and run elsewhere", () => {
  const dir = join(tmp, "project");
  mkdirSync(join(dir, "workflows"), { recursive: true });
  writeFileSync(join(dir, "workflows", "hello.yaml"), "steps:\n  - { id: a, model: mock/echo, prompt: 'hello {{ inputs.who }}' }\ninputs:\n  who: { type: string, default: world }\noutputs:\n  greeting: '{{ steps.a.output }}'\n");
  writeFileSync(join(dir, "bad.yaml"), "name: bad\nsteps:\n  - { id: a, model: mock/echo, prompt: x }\n  - { id: b, model: no-such-model, prompt: '{{ steps.c.output }}' }\n");
  writeFileSync(join(dir, "liaison.yaml"), "storage: { url: 'memory:' }\nlogging: { level: warn }\n");

  it("./workflows is read by default; a file without name: is named after the file", async () => {
    const r = await liaison(["workflows", "run", "hello", "--input", "who=you"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("greeting: hello you\n");
  });

  it("validate exits non-zero naming the file and each problem's path", async () => {
    const r = await liaison(["workflows", "validate", "bad.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Invalid workflow in bad\.yaml: steps\[1\]\.model: the model 'no-such-model'.*; steps\[1\]\.prompt: names the step 'c', which does not exist/);
  });

  it("an unknown workflow exits non-zero", async () => {
    const r = await liaison(["workflows", "run", "nope"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Workflow 'nope' not found/);
  });
});

describe("serve reads workflows.dir at start", () => {
  it("serves the files (stored as version 1, source file)", async () => {
    const gw = await startCli({ workflows: { dir: join(EXAMPLES, "workflows") }, providers: { demo: { type: "mock" } }, models: {
      fast: { targets: [{ provider: "demo", model: "echo" }] }, smart: { targets: [{ provider: "demo", model: "echo" }] },
      classifier: { targets: [{ provider: "demo", model: "echo" }] }, reviewer: { targets: [{ provider: "demo", model: "echo" }] },
    } });
    try {
      const list = await (await fetch(`${gw.url}/v1/workflows`)).json() as { data: { name: string; version: number }[] };
      expect(list.data.map((w) => [w.name, w.version])).toEqual([["code-review", 1], ["research", 1], ["translate", 1], ["triage", 1]]);
      const one = await (await fetch(`${gw.url}/v1/workflows/research`)).json() as Record<string, unknown>;
      expect(one).toMatchObject({ name: "research", source: "file", versions: [1] });
    } finally {
      await gw.dispose();
    }
  });

  it("a bad file stops the start, naming the file and the path", async () => {
    const dir = join(tmp, "bad-dir");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "broken.yaml"), "name: broken\nsteps:\n  - { id: a, model: mock/echo, prompt: x, colour: blue }\n");
    await expect(startCli({ workflows: { dir } })).rejects.toThrow(/Invalid workflow in .*broken\.yaml: steps\[0\]\.colour: unknown field/);
  });
});
