/**
 * The expression language of `when:` and `{{ }}` (src/workflows/expression.ts,
 * template.ts): what parses, what is refused (with why), how values compare,
 * and that nothing reaches JavaScript's own evaluation.
 */
import { describe, expect, it } from "vitest";
import { evaluate, ExpressionError, parseExpression, pathsIn } from "../../src/workflows/expression.js";
import { asText, compileTemplate, render, renderValue, templatePaths } from "../../src/workflows/template.js";

const scope = {
  inputs: { n: 7, lang: "French", flag: false, obj: { a: 1 }, list: ["x", "y"], empty: "", none: null },
  steps: {
    detect: { output: "English", status: "succeeded", error: null },
    data: { output: { items: [{ name: "first" }, { name: "second" }], score: 0.8, "a key": "spaced" }, status: "succeeded", error: null },
    skipped: { output: null, status: "skipped", error: null },
  },
};
const ev = (text: string) => evaluate(parseExpression(text), scope);

describe("conditions", () => {
  it.each([
    ["inputs.n > 5 && steps.detect.output != 'French'", true],
    ["inputs.n > 5 && steps.detect.output != \"English\"", false],
    ["inputs.n >= 7", true], ["inputs.n <= 6", false], ["inputs.n < 8", true], ["inputs.n == 7", true],
    ["inputs.n == '7'", false], // no coercion between types
    ["!inputs.flag", true], ["!!inputs.flag", false], ["!(inputs.n > 5)", false],
    ["inputs.flag || inputs.n == 7", true], ["inputs.flag && undefinedIsNotReached", false],
    ["steps.detect.output contains 'Eng'", true], ["steps.detect.output contains 'eng'", false],
    ["inputs.list contains 'y'", true], ["inputs.list contains 'z'", false],
    ["inputs.obj contains 'a'", true], ["inputs.n contains 7", false],
    ["steps.skipped.output == null", true], ["steps.missing_is_refused_elsewhere == null", true],
    ["inputs.none == null", true], ["inputs.empty == ''", true], ["!inputs.empty", true],
    ["steps.data.output.items[1].name == 'second'", true], ["steps.data.output['a key'] == 'spaced'", true],
    ["steps.data.output.items[9].name == null", true], ["steps.data.output.score > 0.5", true],
    ["inputs.obj == inputs.obj", true], ["steps.detect.status == 'succeeded'", true],
    ["'b' > 'a'", true], ["inputs.n > 'a'", false], ["true", true], ["false || null", null],
    ["(inputs.n > 5 || inputs.flag) && !inputs.flag", true],
  ])("%s → %s", (text, expected) => {
    if (text.includes("undefinedIsNotReached")) {
      // Short-circuit: the right side is not even evaluated (it would be refused at parse anyway).
      expect(() => parseExpression(text)).toThrow(/unknown name 'undefinedIsNotReached'/);
      return;
    }
    expect(ev(text)).toBe(expected);
  });

  it("&& binds tighter than ||, as in JavaScript", () => {
    expect(ev("true || false && false")).toBe(true);
    expect(ev("(true || false) && false")).toBe(false);
  });

  it.each([
    ["inputs.n + 1", /operator '\+' is not supported/],
    ["inputs.n | 1", /operator '\|' is not supported/],
    ["-inputs.n", /operator '-' is not supported/],
    ["foo(1)", /calling a function is not supported/],
    ["inputs.n ? 1 : 2", /\?: operator is not supported/],
    ["[1, 2]", /array literal is not supported/],
    ["this", /'this' is not supported/],
    ["inputs.n 5", /one expression only/],
    ["process.exit()", /not supported|unknown name/],
    ["constructor", /unknown name 'constructor'/],
    ["inputs[inputs.n]", /only a literal key/],
    ["inputs.n ==", /Expected expression/],
    ["'open", /Unclosed quote/],
    ["French", /unknown name 'French'.*strings need quotes/],
  ])("refuses %s", (text, message) => {
    expect(() => parseExpression(text)).toThrow(ExpressionError);
    expect(() => parseExpression(text)).toThrow(message);
  });

  it("reads only own properties of plain data: prototype names lead to null", () => {
    expect(ev("inputs.obj.constructor == null")).toBe(true);
    expect(ev("inputs.obj.__proto__ == null")).toBe(true);
    expect(ev("inputs.list.length == null")).toBe(true);
    expect(ev("steps.detect.output.length == null")).toBe(true);
  });

  it("lists the paths an expression reads", () => {
    expect(pathsIn(parseExpression("inputs.n > 5 && steps.a.output.items[0] contains 'x'"))).toEqual([
      { root: "inputs", keys: ["n"] }, { root: "steps", keys: ["a", "output", "items", 0] },
    ]);
  });
});

describe("templates", () => {
  it("renders text and expressions; null as nothing, objects as JSON", () => {
    const t = compileTemplate("Translate {{ inputs.lang }} / {{steps.detect.output}} {{ steps.skipped.output }}|{{ inputs.obj }} {{ inputs.n }}");
    expect(render(t, scope)).toBe("Translate French / English |{\"a\":1} 7");
    expect(templatePaths(t)).toHaveLength(5);
  });

  it("gives || defaults and keeps braces inside quotes", () => {
    expect(render(compileTemplate("{{ inputs.empty || 'neutral' }}"), scope)).toBe("neutral");
    expect(render(compileTemplate("{{ 'a }} b' }}!"), scope)).toBe("a }} b!");
    expect(render(compileTemplate("no braces at all } {"), scope)).toBe("no braces at all } {");
  });

  it("refuses an unclosed or empty expression, naming where", () => {
    expect(() => compileTemplate("hello {{ inputs.n")).toThrow(/'\{\{' at character 6 is never closed/);
    expect(() => compileTemplate("a {{ }} b")).toThrow(/empty '\{\{ \}\}' at character 2/);
    expect(() => compileTemplate("{{ inputs.n + 1 }}")).toThrow(/in '\{\{ inputs.n \+ 1 \}\}': the operator '\+'/);
  });

  it("an output that is one expression keeps its value; anything else is text", () => {
    expect(renderValue(compileTemplate("{{ steps.data.output }}"), scope)).toEqual(scope.steps.data.output);
    expect(renderValue(compileTemplate("  {{ inputs.n }}\n"), scope)).toBe(7);
    expect(renderValue(compileTemplate("{{ steps.skipped.output }}"), scope)).toBeNull();
    expect(renderValue(compileTemplate("n={{ inputs.n }}"), scope)).toBe("n=7");
  });

  it("asText", () => {
    expect([asText(null), asText(undefined), asText("s"), asText(1.5), asText(true), asText([1])]).toEqual(["", "", "s", "1.5", "true", "[1]"]);
  });
});
