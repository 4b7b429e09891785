/**
 * Wire → canonical for non-stream answers, against recorded-style bodies.
 * Generated tool-call ids are compared by shape: `<call_…>` stands for
 * call_ + 24 hex characters, `<call_…__thought__SIG>` for one carrying SIG.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import { fromGenerateContentResponse } from "./response.js";
import type { GenerateContentResponse } from "./wire-types.js";

interface ResponseFixture { description: string; requestModel: string; wire: GenerateContentResponse; expected: Record<string, unknown> }

function fixture(name: string): ResponseFixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as ResponseFixture;
}

/** Replaces generated parts (created, random ids) with their shapes. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => {
    if (key === "created") return undefined;
    if (typeof v === "string") {
      const call = /^call_[0-9a-f]{24}(?:__thought__(.+))?$/.exec(v);
      if (call) return call[1] ? `<call_…__thought__${call[1]}>` : "<call_…>";
      if (/^chatcmpl_[0-9a-f]{24}$/.test(v)) return "<chatcmpl_…>";
    }
    return v;
  }));
}

describe("response fixtures", () => {
  for (const name of ["response-text.json", "response-function-call.json", "response-blocked-prompt.json", "response-candidates.json"]) {
    it(name, () => {
      const { wire, requestModel, expected } = fixture(name);
      const response = fromGenerateContentResponse(wire, requestModel, "gemini");
      expect(typeof response.created).toBe("number");
      const id = wire.responseId ?? "<chatcmpl_…>";
      expect(normalize(response)).toEqual({ id, ...expected });
    });
  }

  it("a body with neither candidates nor a block reason is an upstream error", () => {
    expect(() => fromGenerateContentResponse({ usageMetadata: {} }, "gemini-2.0-flash", "g")).toThrow(GatewayError);
  });

  it("finish reasons: MALFORMED_FUNCTION_CALL and OTHER are a plain stop; SPII and BLOCKLIST are filtered", () => {
    const reasons = ["MALFORMED_FUNCTION_CALL", "OTHER", "LANGUAGE", "SPII", "BLOCKLIST", "PROHIBITED_CONTENT", "IMAGE_SAFETY"].map((finishReason) =>
      fromGenerateContentResponse({ candidates: [{ finishReason, content: { parts: [{ text: "x" }] } }] }, "m", "g").choices[0]?.finish_reason);
    expect(reasons).toEqual(["stop", "stop", "stop", "content_filter", "content_filter", "content_filter", "content_filter"]);
  });
});
