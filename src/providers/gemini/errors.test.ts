/**
 * Google error bodies → GatewayErrors (status, type, code, retryability and
 * the wait a retry policy should honour).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseErrorBody } from "../_shared/upstream-error.js";
import { geminiStatusError, geminiStreamError, parseGeminiError } from "./errors.js";

interface ErrorFixture {
  description: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  text?: string;
  expected: Record<string, unknown>;
}

const cases = JSON.parse(readFileSync(new URL("./fixtures/errors.json", import.meta.url), "utf8")) as ErrorFixture[];

describe("error fixtures", () => {
  for (const c of cases) {
    it(c.description, () => {
      const text = c.text ?? JSON.stringify(c.body, null, 2);
      const error = geminiStatusError("gemini", c.status, c.headers, parseErrorBody(text));
      expect(error).toMatchObject(c.expected);
    });
  }
});

describe("parseGeminiError", () => {
  it("reads fractional RetryInfo delays and array-wrapped bodies (streamGenerateContent without alt=sse)", () => {
    const body = [{ error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "0.250s" }] } }];
    expect(parseGeminiError(body)).toMatchObject({ message: "slow down", status: "RESOURCE_EXHAUSTED", httpCode: 429, retryDelaySeconds: 0.25, code: "RESOURCE_EXHAUSTED" });
  });

  it("tolerates bodies that are not Google's shape", () => {
    expect(parseGeminiError("nope")).toEqual({});
    expect(parseGeminiError({ message: "plain" })).toEqual({ message: "plain" });
  });
});

describe("geminiStreamError", () => {
  it("maps in-stream statuses to retryable codes", () => {
    const err = (code: number, status: string) => geminiStreamError("g", { error: { code, message: "m", status } });
    expect(err(429, "RESOURCE_EXHAUSTED")).toMatchObject({ code: "rate_limited", retryable: true });
    expect(err(503, "UNAVAILABLE")).toMatchObject({ code: "upstream_unavailable", retryable: true });
    expect(err(500, "INTERNAL")).toMatchObject({ code: "upstream_error", status: 502, clientCode: "INTERNAL" });
    expect(err(400, "INVALID_ARGUMENT").message).toBe("Provider 'g' reported an error mid-stream: m");
  });
});
