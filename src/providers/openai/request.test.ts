/**
 * Canonical request → OpenAI wire request: the same object, minus the
 * gateway's own message fields (reasoning carried back from other
 * providers), which OpenAI would reject.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../core/types.js";
import { toOpenAIChatRequest } from "./request.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/request-tool-round-trip.json", import.meta.url), "utf8")) as { canonical: ChatRequest; wire: unknown };

describe("toOpenAIChatRequest", () => {
  it("drops reasoning_content and thinking_blocks, and sends everything else as it came", () => {
    const canonical = structuredClone(fixture.canonical);
    expect(toOpenAIChatRequest(canonical)).toEqual(fixture.wire);
    expect(canonical).toEqual(fixture.canonical); // the caller's request is not changed
  });

  it("passes a request with nothing to drop through as the very same object", () => {
    const clean = fixture.wire as ChatRequest;
    expect(toOpenAIChatRequest(clean)).toBe(clean);
  });
});
