import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { upstreamStatusError } from "../_shared/upstream-error.js";
import { anthropicStreamError, parseAnthropicError } from "./errors.js";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/error-${name}.json`, import.meta.url), "utf8"));

describe("Anthropic errors", () => {
  it("parses the error body", () => {
    expect(parseAnthropicError(fixture("overloaded"))).toEqual({ message: "Overloaded", type: "overloaded_error", code: null, param: null });
    expect(parseAnthropicError("nope")).toEqual({});
    expect(parseAnthropicError({ message: "plain" })).toEqual({ message: "plain" });
  });

  it("529 overloaded → 503 retryable", () => {
    const err = upstreamStatusError("claude", 529, {}, parseAnthropicError(fixture("overloaded")));
    expect(err).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
    expect(err.message).toContain("Overloaded");
  });

  it("429 keeps retry-after and Anthropic's message", () => {
    const err = upstreamStatusError("claude", 429, { "retry-after": "12" }, parseAnthropicError(fixture("rate-limit")));
    expect(err).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 12, type: "rate_limit_error", retryable: true });
    expect(err.message).toContain("50 requests per minute");
  });

  it("400 keeps its status, type and message", () => {
    const err = upstreamStatusError("claude", 400, {}, parseAnthropicError(fixture("invalid-request")));
    expect(err).toMatchObject({ code: "invalid_request", status: 400, type: "invalid_request_error", retryable: false });
    expect(err.message).toBe("messages.1.content.0.tool_use.input: Input should be a valid dictionary");
  });

  it("maps mid-stream error types", () => {
    const of = (type: string) => anthropicStreamError("claude", { type: "error", error: { type, message: "m" } });
    expect(of("overloaded_error")).toMatchObject({ code: "upstream_unavailable", retryable: true });
    expect(of("rate_limit_error")).toMatchObject({ code: "rate_limited", status: 429 });
    expect(of("api_error")).toMatchObject({ code: "upstream_error", status: 502, retryable: true });
    expect(of("timeout_error")).toMatchObject({ code: "upstream_timeout", status: 504 });
  });
});
