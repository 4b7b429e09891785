/** A run's inputs (src/workflows/inputs.ts): defaults, and a 400 naming each missing, mistyped or unknown one. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import type { InputDef } from "../../src/workflows/definition.js";
import { checkInputs, inputsFromPairs } from "../../src/workflows/inputs.js";

const declared: Record<string, InputDef> = {
  text: { type: "string", required: true },
  n: { type: "number", default: 3 },
  flag: { type: "boolean" },
  opts: { type: "object" },
};

describe("checkInputs", () => {
  it("fills defaults and nulls", () => {
    expect(checkInputs(declared, { text: "hi" })).toEqual({ text: "hi", n: 3, flag: null, opts: null });
    expect(checkInputs(declared, { text: "hi", n: 0, flag: false, opts: [1] })).toEqual({ text: "hi", n: 0, flag: false, opts: [1] });
  });

  it("names every missing, mistyped and unknown input in one 400", () => {
    let err: GatewayError | undefined;
    try {
      checkInputs(declared, { n: "5", flag: "yes", opts: "x", extra: 1 });
    } catch (e) {
      err = e as GatewayError;
    }
    expect(err?.status).toBe(400);
    expect(err?.param).toBe("inputs.text");
    expect(err?.message).toBe("Invalid inputs: missing required input 'text' (string); input 'n' must be a number, not a string; input 'flag' must be a boolean, not a string; input 'opts' must be an object, not a string; unknown input 'extra' (the workflow declares text, n, flag, opts).");
  });

  it("refuses inputs that are not an object", () => {
    expect(() => checkInputs(declared, ["x"])).toThrow(/inputs must be an object/);
    expect(() => checkInputs(declared, "x")).toThrow(/inputs must be an object/);
  });
});

describe("inputsFromPairs (the CLI's --input)", () => {
  it("follows the declared types", () => {
    expect(inputsFromPairs(declared, ["text=a=b", "n=5.5", "flag=true", 'opts={"a":1}', "other=7"])).toEqual({ text: "a=b", n: 5.5, flag: true, opts: { a: 1 }, other: "7" });
  });

  it.each([["n=five", /must be a number/], ["flag=yes", /true or false/], ["opts={", /must be JSON/], ["novalue", /NAME=VALUE/], ["n=", /must be a number/]])("refuses %s", (pair, message) => {
    expect(() => inputsFromPairs(declared, [pair])).toThrow(message);
  });
});
