/**
 * Ollama error bodies → GatewayErrors, through the same shared mapping every
 * provider uses, against the recorded fixtures.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseErrorBody, upstreamStatusError } from "../_shared/upstream-error.js";
import { parseOllamaError, streamErrorText } from "./errors.js";

interface ErrorCase { name: string; status: number; headers?: Record<string, string>; body: string; expected: Record<string, unknown> }

const cases = JSON.parse(readFileSync(new URL("./fixtures/errors.json", import.meta.url), "utf8")) as ErrorCase[];

describe("upstream status errors", () => {
  for (const c of cases) {
    it(c.name, () => {
      const err = upstreamStatusError("local", c.status, c.headers ?? {}, parseOllamaError(c.status, parseErrorBody(c.body)));
      expect(err).toMatchObject(c.expected);
    });
  }

  it("reads an OpenAI-shaped body from a proxy in front of Ollama", () => {
    expect(parseOllamaError(400, { error: { message: "bad", type: "invalid_request_error" } })).toEqual({ message: "bad" });
  });
});

describe("stream error lines", () => {
  it("finds the error text of an error line only", () => {
    expect(streamErrorText({ error: "boom" })).toBe("boom");
    expect(streamErrorText({ error: { message: "boom" } })).toBe('{"message":"boom"}');
    expect(streamErrorText({ model: "m", done: false })).toBeUndefined();
    expect(streamErrorText({ error: null })).toBeUndefined();
    expect(streamErrorText("text")).toBeUndefined();
  });
});
