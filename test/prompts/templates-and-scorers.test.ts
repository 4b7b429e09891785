/**
 * The registry's pieces on their own: `{{variable}}` templates, the prompt
 * format, completion bodies, datasets, every scorer (the judge's reply
 * parsing included), the proposer's replies, few-shot demos and the split.
 */
import { describe, expect, it } from "vitest";
import type { GatewayError } from "../../src/core/errors.js";
import { chatRequestFor, parseCompletionBody } from "../../src/prompts/completion.js";
import { parseDataset } from "../../src/prompts/dataset.js";
import { parsePromptInput, type PromptMessage } from "../../src/prompts/definition.js";
import { pickDemos, withDemos } from "../../src/prompts/few-shot.js";
import { judgeRequest, parseGrade } from "../../src/prompts/judge.js";
import { splitRows } from "../../src/prompts/optimizer.js";
import { parseProposal } from "../../src/prompts/proposer.js";
import { lastNumber, makeScorer } from "../../src/prompts/scorers.js";
import { renderMessages, templateProblem, variablesOf } from "../../src/prompts/template.js";
import { seeded } from "../../src/router/random.js";

const caught = (fn: () => unknown): GatewayError => {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error("did not throw");
};

describe("templates", () => {
  const messages = [{ role: "system", content: "Answer in {{lang}}." }, { role: "user", content: "{{ q }} ({{lang}})" }];

  it("find variables in order of first use, fill them in one pass", () => {
    expect(variablesOf(messages)).toEqual(["lang", "q"]);
    expect(renderMessages(messages, { lang: "French", q: "{{lang}}?", extra: 1 }, "p")).toEqual([
      { role: "system", content: "Answer in French." },
      { role: "user", content: "{{lang}}? (French)" },
    ]);
    expect(renderMessages([{ role: "user", content: "{{n}} {{o}} {{b}}" }], { n: 3, o: { a: [1] }, b: false }, "p")[0]!.content).toBe('3 {"a":[1]} false');
  });

  it("refuse a missing variable with a 400 naming it (null counts as missing)", () => {
    const e = caught(() => renderMessages(messages, { lang: null }, "prompt 'p' version 2"));
    expect(e).toMatchObject({ status: 400, param: "variables.lang", clientCode: "missing_variable" });
    expect(e.message).toBe("Missing variables 'lang', 'q' for prompt 'p' version 2: send them in variables.");
  });

  it("say what is wrong with a stray brace", () => {
    expect(templateProblem("{{ok}} and {{ not ok }}")).toMatch(/'\{\{ not ok }}…' is not a \{\{variable}} placeholder/);
    expect(templateProblem("{ single } braces are fine {{x}}")).toBeUndefined();
  });
});

describe("the prompt format", () => {
  it("defaults model, params and description to null, {} and null", () => {
    expect(parsePromptInput({ name: "a.b-c_1", messages: [{ role: "developer", content: "x" }] })).toEqual({ name: "a.b-c_1", messages: [{ role: "developer", content: "x" }], model: null, params: {}, description: null });
  });

  it.each([
    [{ name: "has space", messages: [{ role: "user", content: "x" }] }, "name"],
    [{ name: "a", messages: [] }, "messages"],
    [{ name: "a", messages: [{ role: "tool", content: "x" }] }, "messages[0].role"],
    [{ name: "a", messages: [{ role: "user", content: "" }] }, "messages[0].content"],
    [{ name: "a", messages: [{ role: "user", content: "x" }], params: { variables: {} } }, "params.variables"],
    [{ name: "a", messages: [{ role: "user", content: "x" }], temperature: 1 }, "temperature"],
  ])("%j → a 400 naming %s", (value, path) => {
    expect(caught(() => parsePromptInput(value))).toMatchObject({ status: 400, param: path, clientCode: "invalid_prompt" });
  });
});

describe("completion bodies", () => {
  const t = { messages: [{ role: "user" as const, content: "Hi {{who}}" }], model: "m", params: { temperature: 0.1, max_tokens: 5 }, description: null };

  it("put the caller's parameters over the version's, the caller's model over its own", () => {
    const body = parseCompletionBody({ variables: { who: "Bo" }, temperature: 0.9, model: "other", user: "u1" });
    expect(chatRequestFor("p", 1, t, body)).toEqual({ temperature: 0.9, max_tokens: 5, user: "u1", model: "other", messages: [{ role: "user", content: "Hi Bo" }], stream: false });
  });

  it.each([
    [{ version: 1, label: "x" }, "label"],
    [{ messages: [] }, "messages"],
    [{ version: "2" }, "version"],
    [{ variables: [] }, "variables"],
    [[], null],
  ])("%j is a 400 (param %s)", (body, param) => {
    expect(caught(() => parseCompletionBody(body))).toMatchObject({ status: 400, param });
  });

  it("a version without a model needs the caller's", () => {
    expect(caught(() => chatRequestFor("p", 3, { ...t, model: null }, parseCompletionBody({ variables: { who: "x" } })))).toMatchObject({ param: "model" });
  });
});

describe("datasets", () => {
  it("read JSON Lines, skip blank lines, name the line of a problem", () => {
    expect(parseDataset('{"variables": {"a": 1}, "expected": "x"}\n\n{"id": "r2", "variables": {}}\n', "d.jsonl")).toEqual([
      { id: "1", variables: { a: 1 }, expected: "x" },
      { id: "r2", variables: {} },
    ]);
    expect(caught(() => parseDataset('{"variables": {}}\nnot json', "d.jsonl")).message).toMatch(/^d\.jsonl:2: not JSON/);
    expect(caught(() => parseDataset('{"variables": [1]}', "d.jsonl")).message).toMatch(/^d\.jsonl:1: variables must be an object/);
    expect(caught(() => parseDataset("\n", "d.jsonl")).message).toBe("d.jsonl: no rows");
  });
});

describe("scorers", () => {
  const row = (expected: unknown) => ({ id: "1", variables: {}, expected });
  const score = (spec: string, answer: string, expected: unknown, options = {}) => makeScorer(spec, options).score(answer, row(expected), []);

  it.each([
    ["exact", "  Paris \n", "Paris", 1],
    ["exact", "Paris.", "Paris", 0],
    ["contains", "It is Paris.", "Paris", 1],
    ["contains", "Paris and Rome", ["Rome", "Paris"], 1],
    ["contains", "Paris", ["Rome", "Paris"], 0],
    ["contains", 'say {"a":1}', { a: 1 }, 1],
    ["regex", "Order 1042 shipped", "\\b\\d{4}\\b", 1],
    ["regex", "ORDER", "/^order$/i", 1],
    ["regex", "order", "/^x$/g", 0],
    ["numeric", "The total is 1,234.50 dollars", 1234.5, 1],
    ["numeric", "3 apples, so 12", "12", 1],
    ["numeric:0.1", "about 3.14", 3.2, 1],
    ["numeric:0.01", "about 3.14", 3.2, 0],
    ["numeric", "no number", 1, 0],
    ["json_schema", '```json\n{"n": 2}\n```', { type: "object", properties: { n: { type: "integer" } }, required: ["n"] }, 1],
    ["json_schema", '{"n": "two"}', { type: "object", properties: { n: { type: "integer" } }, required: ["n"] }, 0],
  ])("%s: %j against %j → %i", async (spec, answer, expected, want) => {
    expect(await score(spec, answer, expected)).toBe(want);
  });

  it("json_schema takes one schema for every row when given", async () => {
    expect(await score("json_schema", "[1, 2]", undefined, { schema: { type: "array" } })).toBe(1);
  });

  it("check rows before any call: a row without expected, a bad pattern, a non-number", () => {
    expect(caught(() => makeScorer("contains").check({ id: "7", variables: {} })).message).toBe('Dataset row 7: the contains scorer needs "expected"');
    expect(caught(() => makeScorer("regex").check(row("("))).message).toMatch(/^Dataset row 1: not a valid pattern/);
    expect(caught(() => makeScorer("numeric").check(row("ten"))).message).toMatch(/needs expected to be a number/);
    expect(caught(() => makeScorer("json_schema").check(row("not a schema"))).message).toMatch(/needs a JSON schema object/);
    expect(caught(() => makeScorer("judge:")).message).toMatch(/judge:MODEL names the model/);
    expect(caught(() => makeScorer("numeric:-1")).message).toMatch(/tolerance/);
  });

  it("lastNumber reads the final figure", () => {
    expect(lastNumber("first 1, then -2.5e1")).toBe(-25);
    expect(lastNumber(".5")).toBe(0.5);
    expect(lastNumber("none")).toBeUndefined();
  });

  it("judge: the rubric's request, and the grade in JSON or in words; no grade is an error", async () => {
    const req = judgeRequest("g", { input: [{ role: "system", content: "Be brief." }, { role: "user", content: "2+2?" }], expected: "4", answer: "four" });
    expect(req).toMatchObject({ model: "g", temperature: 0 });
    expect(req.messages[1]!.content).toBe("QUESTION:\n<<<\n[system] Be brief.\n[user] 2+2?\n>>>\n\nEXPECTED:\n<<<\n4\n>>>\n\nANSWER:\n<<<\nfour\n>>>");
    expect(parseGrade('{"score": 7, "reason": "close"}')).toBe(7);
    expect(parseGrade('Sure! ```json\n{"score": "10"}\n```')).toBe(10);
    expect(parseGrade("Score: 4/10")).toBe(4);
    expect(parseGrade('{"score": 12}')).toBe(10);
    expect(parseGrade("looks fine")).toBeUndefined();
    const judged = makeScorer("judge:g", { judge: async () => '{"score": 6}' });
    expect(await judged.score("a", row("b"), [])).toBe(0.6);
    await expect(makeScorer("judge:g", { judge: async () => "no idea" }).score("a", row("b"), [])).rejects.toThrow(/did not answer with a score/);
  });
});

describe("the optimizer's parts", () => {
  const original: PromptMessage[] = [{ role: "system", content: "Be brief." }, { role: "user", content: "{{q}} in {{lang}}" }];

  it("takes a proposal in a fence, bare, or as a list; refuses other variables, bad roles, non-JSON", () => {
    expect(parseProposal('Sure:\n```json\n{"messages": [{"role": "user", "content": "{{lang}}: {{q}}"}]}\n```', original)).toEqual({ messages: [{ role: "user", content: "{{lang}}: {{q}}" }] });
    expect(parseProposal('[{"role": "user", "content": "{{q}} {{ lang }}"}]', original)).toHaveProperty("messages");
    expect(parseProposal('{"messages": [{"role": "user", "content": "{{q}}"}]}', original)).toEqual({ problem: 'it uses the placeholders ["q"], not the original\'s ["q","lang"]' });
    expect(parseProposal('{"messages": [{"role": "robot", "content": "{{q}} {{lang}}"}]}', original)).toHaveProperty("problem");
    expect(parseProposal('{"messages": [{"role": "user", "content": "{{q}} {{lang}} {{ bad one }}"}]}', original)).toHaveProperty("problem");
    expect(parseProposal("I would rather not.", original)).toEqual({ problem: "the reply is not JSON" });
  });

  it("puts demos before the last user message, leaving out texts with {{", () => {
    const demos = pickDemos([{ user: "u1", assistant: "a1" }, { user: "has {{x}}", assistant: "a2" }, { user: "u3", assistant: "" }], 5, seeded(1));
    expect(demos).toEqual([{ user: "u1", assistant: "a1" }]);
    expect(withDemos(original, demos)).toEqual([original[0], { role: "user", content: "u1" }, { role: "assistant", content: "a1" }, original[1]]);
    expect(withDemos([{ role: "system", content: "only" }], demos)).toEqual([{ role: "system", content: "only" }]);
  });

  it("splits rows the same way for the same seed, at least one on each side", () => {
    const rows = Array.from({ length: 10 }, (_, i) => i);
    const a = splitRows(rows, 0.3, 5);
    expect(splitRows(rows, 0.3, 5)).toEqual(a);
    expect(a.holdout).toHaveLength(3);
    expect([...a.train, ...a.holdout].sort((x, y) => x - y)).toEqual(rows);
    expect(splitRows([1, 2], 0.01, 1).holdout).toHaveLength(1);
    expect(splitRows([1, 2], 0.99, 1).train).toHaveLength(1);
  });
});
