import { describe, expect, it } from "vitest";
import { checkModelName, modelNameProblem } from "../../src/core/model-name.js";

describe("model names", () => {
  it.each(["gpt-4o", "anthropic/claude-sonnet-4-5", "models/gemini-2.0-flash", "arn:aws:bedrock:us-east-1::foundation-model/x.y-v1:0", "café", "a..b", "v1.5"])("accepts %s", (name) => {
    expect(modelNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["a control character", "gpt\u0001"], ["NUL", "gpt\u0000"], ["a newline", "gpt\r\nx-injected: 1"], ["a tab", "gpt\t4"],
    ["a character above U+00FF", "gpt-\u0100"], ["an emoji", "gpt-😀"],
    ["a dot segment", ".."], ["a leading dot segment", "../x"], ["an inner dot segment", "a/../b"], ["a trailing dot segment", "a/."],
    ["too long", "x".repeat(513)],
  ])("refuses %s", (_what, name) => {
    expect(modelNameProblem(name)).toBeDefined();
    expect(() => checkModelName(name)).toThrow(/Invalid model name/);
  });
});
