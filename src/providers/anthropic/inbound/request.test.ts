import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../core/errors.js";
import { toAnthropicRequest } from "../request.js";
import { anthropicRequestToCanonical } from "./request.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/inbound-request-${name}.json`, import.meta.url), "utf8")) as { anthropic: unknown; canonical: unknown };

function errorOf(body: unknown): GatewayError {
  try {
    anthropicRequestToCanonical(body);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected an error");
}

const valid = { model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };

describe("Anthropic request → canonical (fixtures)", () => {
  it.each(["tools", "basic"])("inbound-request-%s.json", (name) => {
    const fx = fixture(name);
    expect(anthropicRequestToCanonical(fx.anthropic)).toEqual(fx.canonical);
  });

  it("comes back unchanged through the outbound mapper (Anthropic client → Anthropic upstream)", () => {
    const fx = fixture("tools");
    const { stream: _stream, ...rest } = fx.anthropic as Record<string, unknown>;
    const out = toAnthropicRequest(anthropicRequestToCanonical(rest), { stream: false }).body;
    const expected = { ...rest } as Record<string, unknown>;
    // Known, documented losses: temperature/top_k are not sent with thinking; is_error:false is dropped;
    // a single plain text block becomes a string (same meaning).
    delete expected.temperature;
    delete expected.top_k;
    expect(out).toMatchObject({
      model: expected.model, max_tokens: expected.max_tokens, system: expected.system, tools: expected.tools,
      tool_choice: expected.tool_choice, stop_sequences: expected.stop_sequences, metadata: expected.metadata, thinking: expected.thinking,
    });
    expect(out.max_tokens).toBe(4096);
    expect(out.messages[1]).toEqual((expected.messages as unknown[])[1]);
    expect(out.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_01A", content: "18C" },
        { type: "tool_result", tool_use_id: "toolu_01B", content: "25C" },
        { type: "text", text: "Which is warmer?" },
      ],
    });
  });
});

describe("Anthropic request validation", () => {
  it("names the missing or wrong field", () => {
    expect(errorOf({ ...valid, max_tokens: undefined })).toMatchObject({ code: "invalid_request", param: "max_tokens", message: "max_tokens: Field required" });
    expect(errorOf({ ...valid, model: undefined }).param).toBe("model");
    expect(errorOf({ model: "m", max_tokens: 1 }).param).toBe("messages");
    expect(errorOf({ ...valid, messages: [{ role: "system", content: "x" }] }).param).toBe("messages.0.role");
    expect(errorOf({ ...valid, messages: [{ role: "user", content: [{ type: "video" }] }] }).param).toBe("messages.0.content.0.type");
    expect(errorOf({ ...valid, messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] }] }).param).toBe("messages.0.content.0.source.type");
    expect(errorOf({ ...valid, temperature: 1.5 }).param).toBe("temperature");
    expect(errorOf({ ...valid, tools: [{ type: "web_search_20250305", name: "web_search" }] }).param).toMatch(/^tools\.0\./);
    expect(errorOf({ ...valid, thinking: { type: "enabled", budget_tokens: 10 } }).param).toBe("thinking.budget_tokens");
    expect(errorOf([1, 2]).message).toContain("JSON object");
  });

  it("maps tool_choice types", () => {
    const tools = [{ name: "f", input_schema: { type: "object" } }];
    expect(anthropicRequestToCanonical({ ...valid, tools, tool_choice: { type: "auto" } }).tool_choice).toBe("auto");
    expect(anthropicRequestToCanonical({ ...valid, tools, tool_choice: { type: "none" } }).tool_choice).toBe("none");
    expect(anthropicRequestToCanonical({ ...valid, tools, tool_choice: { type: "tool", name: "f" } }).tool_choice).toEqual({ type: "function", function: { name: "f" } });
  });

  it("moves images of a tool result into user content after the tool message", () => {
    const req = anthropicRequestToCanonical({
      ...valid,
      messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [
        { type: "text", text: "chart:" },
        { type: "image", source: { type: "url", url: "https://x/c.png" } },
      ] }] }],
    });
    expect(req.messages).toEqual([
      { role: "tool", tool_call_id: "t1", content: "chart:" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/c.png" } }] },
    ]);
  });
});
