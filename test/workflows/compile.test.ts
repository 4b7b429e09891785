/**
 * Checking a workflow (src/workflows/definition.ts, compile.ts): the format,
 * then references, cycles, models, schemas and defaults, each problem named
 * by its path as the API's 400 and the start-up error name it.
 */
import { describe, expect, it } from "vitest";
import { compileWorkflow } from "../../src/workflows/compile.js";
import { parseWorkflowText } from "../../src/workflows/definition.js";
import { WorkflowError } from "../../src/workflows/workflow-error.js";

const models = { modelProblem: (m: string) => (m.startsWith("mock/") ? undefined : `the model '${m}' does not exist`) };
const step = (id: string, extra: Record<string, unknown> = {}) => ({ id, model: "mock/echo", prompt: "hi", ...extra });

function problems(wf: unknown): { path: string; message: string }[] {
  try {
    compileWorkflow(wf, models);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowError);
    const e = err as WorkflowError;
    expect(e.status).toBe(400);
    expect(e.param).toBe(e.problems[0]!.path);
    return e.problems;
  }
  throw new Error("expected the workflow to be refused");
}

describe("a valid workflow", () => {
  it("compiles: items in order, messages from system + prompt, parameters, outputs", () => {
    const wf = compileWorkflow(parseWorkflowText(`
name: demo
description: A demo
inputs:
  text: { type: string, required: true }
  n: { type: number, default: 3 }
timeout_ms: 5000
steps:
  - id: a
    model: mock/echo
    system: Be brief.
    prompt: "{{ inputs.text }}"
    temperature: 0.2
    max_tokens: 50
  - id: group
    parallel:
      - { id: b, model: mock/echo, prompt: "{{ steps.a.output }}", output: { json: true, schema: { type: object } } }
      - id: c
        model: mock/echo
        messages: [ { role: user, content: "{{ inputs.n }}" }, { role: assistant, content: ok }, { role: user, content: again } ]
  - { id: d, model: mock/echo, prompt: "{{ steps.b.output.field }}", when: "steps.c.status == 'succeeded' && inputs.n > 2" }
outputs:
  result: "{{ steps.d.output }}"
`), models);
    expect(wf.name).toBe("demo");
    expect(wf.timeoutMs).toBe(5000);
    expect(wf.items.map((i) => i.kind)).toEqual(["step", "parallel", "step"]);
    expect(wf.steps.map((s) => [s.def.id, s.path, s.position])).toEqual([["a", "steps[0]", 0], ["b", "steps[1].parallel[0]", 1], ["c", "steps[1].parallel[1]", 1], ["d", "steps[2]", 2]]);
    expect(wf.steps[0]!.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(wf.steps[0]!.params).toEqual({ temperature: 0.2, max_tokens: 50 });
    expect(wf.steps[2]!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(wf.steps[1]!.schema).toBeDefined();
    expect(wf.outputs.map(([n]) => n)).toEqual(["result"]);
  });
});

describe("refused, with the path of the problem", () => {
  it.each<[string, unknown, string, RegExp]>([
    ["an unknown step field", { name: "w", steps: [step("a", { promt: "x" })] }, "steps[0].promt", /unknown field/],
    ["an unknown top-level field", { name: "w", steps: [step("a")], output: {} }, "output", /unknown field/],
    ["a missing model", { name: "w", steps: [{ id: "a", prompt: "x" }] }, "steps[0].model", /./],
    ["prompt and messages both", { name: "w", steps: [step("a", { messages: [{ role: "user", content: "x" }] })] }, "steps[0].prompt", /either `prompt` or `messages`/],
    ["neither prompt nor messages", { name: "w", steps: [{ id: "a", model: "mock/echo" }] }, "steps[0].prompt", /either/],
    ["a schema without json", { name: "w", steps: [step("a", { output: { schema: { type: "object" } } })] }, "steps[0].output.schema", /needs `json: true`/],
    ["a bad step id", { name: "w", steps: [step("my-step")] }, "steps[0].id", /letters, digits and _/],
    ["a bad name", { name: "a b", steps: [step("a")] }, "name", /workflow name/],
    ["no steps", { name: "w", steps: [] }, "steps", /./],
    ["a mistyped chat parameter", { name: "w", steps: [step("a", { temperature: "hot" })] }, "steps[0].temperature", /number/],
    ["a group inside a group", { name: "w", steps: [{ parallel: [{ parallel: [step("a")] }] }] }, "steps[0].parallel[0]", /cannot hold another group/],
    ["an unknown field in a group member", { name: "w", steps: [step("a"), { parallel: [step("b"), step("c", { retries: 2 })] }] }, "steps[1].parallel[1].retries", /unknown field/],
    ["a model the gateway cannot route", { name: "w", steps: [step("a"), step("b", { model: "nope" })] }, "steps[1].model", /the model 'nope' does not exist/],
    ["a step that does not exist", { name: "w", steps: [step("a", { prompt: "{{ steps.zz.output }}" })] }, "steps[0].prompt", /names the step 'zz', which does not exist/],
    ["a step that comes later", { name: "w", steps: [step("a", { prompt: "{{ steps.b.output }}" }), step("b")] }, "steps[0].prompt", /names the step 'b', which comes later \(steps\[1\]\)/],
    ["a cycle", { name: "w", steps: [step("a", { when: "steps.b.status == 'succeeded'" }), step("b", { prompt: "{{ steps.a.output }}" })] }, "steps[0].when", /a cycle: a → b → a/],
    ["a step reading itself", { name: "w", steps: [step("a", { prompt: "{{ steps.a.output }}" })] }, "steps[0].prompt", /cannot read its own output \(a cycle: a → a\)/],
    ["a sibling in the same group", { name: "w", steps: [{ parallel: [step("a"), step("b", { prompt: "{{ steps.a.output }}" })] }] }, "steps[0].parallel[1].prompt", /same parallel group/],
    ["an undeclared input", { name: "w", steps: [step("a", { prompt: "{{ inputs.nope }}" })] }, "steps[0].prompt", /input 'nope', which the workflow does not declare/],
    ["a field of a text output", { name: "w", steps: [step("a"), step("b", { prompt: "{{ steps.a.output.x }}" })] }, "steps[1].prompt", /steps.a.output is text/],
    ["a step without a field", { name: "w", steps: [step("a"), step("b", { prompt: "{{ steps.a }}" })] }, "steps[1].prompt", /write steps.a.output/],
    ["a group id as a step", { name: "w", steps: [{ id: "g", parallel: [step("a")] }, step("b", { prompt: "{{ steps.g.output }}" })] }, "steps[1].prompt", /parallel group: name one of its steps/],
    ["a duplicate id", { name: "w", steps: [step("a"), { parallel: [step("a")] }] }, "steps[1].parallel[0].id", /duplicate id 'a' \(also steps\[0\]\)/],
    ["a bad condition", { name: "w", steps: [step("a", { when: "inputs.x = 1" })] }, "steps[0].when", /./],
    ["a bad template", { name: "w", steps: [step("a", { system: "{{ oops" })] }, "steps[0].system", /never closed/],
    ["a bad message template", { name: "w", steps: [step("a", { prompt: undefined, messages: [{ role: "user", content: "{{ x }}" }] })] }, "steps[0].messages[0].content", /unknown name 'x'/],
    ["an output naming a missing step", { name: "w", steps: [step("a")], outputs: { r: "{{ steps.b.output }}" } }, "outputs.r", /does not exist/],
    ["a default of the wrong type", { name: "w", inputs: { n: { type: "number", default: "five" } }, steps: [step("a")] }, "inputs.n.default", /must be a number, not a string/],
    ["an unknown input type", { name: "w", inputs: { n: { type: "integer" } }, steps: [step("a")] }, "inputs.n.type", /./],
    ["a schema zod cannot read", { name: "w", steps: [step("a", { output: { json: true, schema: { type: "objekt" } } })] }, "steps[0].output.schema", /not a JSON schema/],
  ])("%s", (_what, wf, path, message) => {
    const found = problems(wf);
    const problem = found.find((p) => p.path === path);
    expect(problem, JSON.stringify(found)).toBeDefined();
    expect(problem!.message).toMatch(message);
  });

  it("reports every problem at once", () => {
    const found = problems({ name: "w", steps: [step("a", { model: "x" }), step("b", { model: "y", prompt: "{{ steps.c.output }}" })] });
    expect(found.map((p) => p.path)).toEqual(["steps[0].model", "steps[1].model", "steps[1].prompt"]);
  });

  it("says where in YAML it broke", () => {
    expect(() => parseWorkflowText("name: [unclosed")).toThrow(/Invalid workflow: \(yaml\)/);
    expect(() => parseWorkflowText("a: 1\na: 2")).toThrow(WorkflowError);
  });
});
