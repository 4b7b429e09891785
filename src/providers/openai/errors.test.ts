/**
 * OpenAI's error body (`{"error":{"message","type","param","code"}}`, the
 * spec's ErrorResponse) → GatewayError: client errors keep their status and
 * words, server errors become the gateway's 502/503, Retry-After is kept.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseErrorBody } from "../_shared/upstream-error.js";
import { openAIStatusError, parseOpenAIError } from "./errors.js";

interface ErrorCase { description: string; status: number; headers: Record<string, string>; body: unknown; expected: Record<string, unknown> }

const cases = JSON.parse(readFileSync(new URL("./fixtures/errors.json", import.meta.url), "utf8")) as ErrorCase[];

describe("status errors", () => {
  for (const c of cases) {
    it(`${c.status}: ${c.description}`, () => {
      // As the body arrives: text, parsed (or kept as the message when it is not JSON).
      const text = typeof c.body === "string" ? c.body : JSON.stringify(c.body);
      expect(openAIStatusError("openai", c.status, c.headers, parseErrorBody(text))).toMatchObject(c.expected);
    });
  }
});

describe("parseOpenAIError", () => {
  it("reads the fields it knows and tolerates the shapes compatible servers send", () => {
    expect(parseOpenAIError({ error: { message: "m", type: "t", param: "p", code: 42 } })).toEqual({ message: "m", type: "t", param: "p", code: "42" });
    expect(parseOpenAIError({ error: "plain words" })).toEqual({ message: "plain words" });
    expect(parseOpenAIError({ message: "top-level" })).toEqual({ message: "top-level" });
    expect(parseOpenAIError("nope")).toEqual({});
  });
});
