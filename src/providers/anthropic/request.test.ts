import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest } from "../../core/types.js";
import { defaultMaxTokens, toAnthropicRequest, type RequestOptions } from "./request.js";

const dir = new URL("./fixtures/", import.meta.url);
interface RequestFixture { description: string; options: RequestOptions; canonical: ChatRequest; anthropic: unknown; jsonTool?: string }
const fixtures = readdirSync(dir).filter((f) => f.startsWith("request-") && f.endsWith(".json"));

describe("canonical → Anthropic request (fixtures)", () => {
  it.each(fixtures)("%s", (file) => {
    const fx = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as RequestFixture;
    const prepared = toAnthropicRequest(fx.canonical, fx.options);
    expect(prepared.body).toEqual(fx.anthropic);
    // Key order is part of the wire format a reviewer reads; equality above ignores it, JSON text does not.
    expect(JSON.stringify(prepared.body)).toBe(JSON.stringify(fx.anthropic));
    expect(prepared.jsonTool).toBe(fx.jsonTool);
  });
});

const base: ChatRequest = { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] };
const opts: RequestOptions = { stream: false };

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected an error");
}

describe("request mapping rules", () => {
  it("refuses tool call arguments that are not a JSON object, naming the message", () => {
    const req: ChatRequest = {
      ...base,
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{not json" } }] },
      ],
    };
    const err = errorOf(() => toAnthropicRequest(req, opts));
    expect(err).toMatchObject({ code: "invalid_request", status: 400, param: "messages[1].tool_calls[0].function.arguments" });
    expect(err.message).toContain("message 1");
    const arr = { ...req, messages: [req.messages[0]!, { ...req.messages[1]!, tool_calls: [{ id: "t", type: "function" as const, function: { name: "f", arguments: "[1]" } }] }] };
    expect(errorOf(() => toAnthropicRequest(arr, opts)).message).toContain("JSON object");
  });

  it("refuses n > 1, audio parts, legacy function messages and non-URL images", () => {
    expect(errorOf(() => toAnthropicRequest({ ...base, n: 2 }, opts))).toMatchObject({ code: "unsupported_operation", param: "n" });
    const audio: ChatRequest = { ...base, messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }] };
    expect(errorOf(() => toAnthropicRequest(audio, opts)).param).toBe("messages[0].content[0]");
    expect(errorOf(() => toAnthropicRequest({ ...base, messages: [{ role: "function", name: "f", content: "1" }] }, opts)).param).toBe("messages[0].role");
    const ftp: ChatRequest = { ...base, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }] }] };
    expect(errorOf(() => toAnthropicRequest(ftp, opts)).message).toContain("base64 data: URL");
  });

  it("picks per-model max_tokens defaults", () => {
    expect(defaultMaxTokens("claude-3-haiku-20240307")).toBe(4096);
    expect(defaultMaxTokens("claude-3-opus-20240229")).toBe(4096);
    expect(defaultMaxTokens("claude-3-5-sonnet-20241022")).toBe(8192);
    expect(defaultMaxTokens("claude-3-7-sonnet-20250219")).toBe(8192);
    expect(defaultMaxTokens("claude-sonnet-4-5")).toBe(8192);
    expect(defaultMaxTokens("claude-opus-4-1-20250805")).toBe(8192);
    expect(toAnthropicRequest({ ...base, max_tokens: 77 }, opts).body.max_tokens).toBe(77);
  });

  it("maps tool_choice none and auto, and drops tool_choice without tools", () => {
    const tools = [{ type: "function" as const, function: { name: "f" } }];
    expect(toAnthropicRequest({ ...base, tools, tool_choice: "none" }, opts).body.tool_choice).toEqual({ type: "none" });
    expect(toAnthropicRequest({ ...base, tools, tool_choice: "auto" }, opts).body.tool_choice).toEqual({ type: "auto" });
    expect(toAnthropicRequest({ ...base, tools, parallel_tool_calls: false }, opts).body.tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(toAnthropicRequest({ ...base, tools }, opts).body.tool_choice).toBeUndefined();
    expect(toAnthropicRequest({ ...base, tool_choice: "required" }, opts).body).not.toHaveProperty("tool_choice");
  });

  it("passes a canonical thinking object through, and keeps max_tokens that already leave room", () => {
    const body = toAnthropicRequest({ ...base, max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 2048 }, temperature: 0.3 }, opts).body;
    expect(body).toMatchObject({ max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(body).not.toHaveProperty("temperature");
    expect(toAnthropicRequest({ ...base, reasoning_effort: "high" }, opts).body.thinking).toEqual({ type: "enabled", budget_tokens: 16384 });
    expect(toAnthropicRequest({ ...base, reasoning_effort: "none" }, opts).body).not.toHaveProperty("thinking");
  });

  it("expresses json_schema as an instruction when the request has tools or thinking, or natively when configured", () => {
    const format = { type: "json_schema" as const, json_schema: { name: "x", schema: { type: "object", properties: { a: { type: "string" } } } } };
    const withTools = toAnthropicRequest({ ...base, response_format: format, tools: [{ type: "function", function: { name: "f" } }] }, opts);
    expect(withTools.jsonTool).toBeUndefined();
    expect(withTools.body.system).toContain('{"type":"object","properties":{"a":{"type":"string"}}}');
    const native = toAnthropicRequest({ ...base, response_format: format }, { ...opts, structuredOutput: "native" });
    expect(native.body.output_config).toEqual({ format: { type: "json_schema", schema: format.json_schema.schema } });
    expect(native.body).not.toHaveProperty("tools");
  });

  it("keeps cache_control on text parts and sends a single plain text as a string", () => {
    const req: ChatRequest = {
      ...base,
      messages: [
        { role: "system", content: [{ type: "text", text: "long prompt", cache_control: { type: "ephemeral" } } as never] },
        { role: "user", content: [{ type: "text", text: "hi" }] },
        { role: "assistant", content: "" },
      ],
    };
    const body = toAnthropicRequest(req, opts).body;
    expect(body.system).toEqual([{ type: "text", text: "long prompt", cache_control: { type: "ephemeral" } }]);
    // The empty assistant turn is dropped: Anthropic rejects empty text blocks.
    expect(body.messages).toEqual([{ role: "user", content: "hi" }]);
  });
});

describe("API versions", () => {
  it("sends no sampling parameters from API version 2026-10-21 on", async () => {
    const { samplingAllowed } = await import("./request.js");
    expect(samplingAllowed("2023-06-01")).toBe(true);
    expect(samplingAllowed("2026-10-21")).toBe(false);
    const body = toAnthropicRequest({ ...base, temperature: 0.5, top_p: 0.9, top_k: 5 }, { ...opts, sampling: false }).body;
    expect(body).not.toHaveProperty("temperature");
    expect(body).not.toHaveProperty("top_p");
    expect(body).not.toHaveProperty("top_k");
  });
});

describe("thinking blocks from history", () => {
  it("passes signed blocks back and leaves unsigned reasoning out", () => {
    const req: ChatRequest = {
      ...base,
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: "a", thinking_blocks: [{ type: "thinking", thinking: "t", signature: "" }, { type: "redacted_thinking", data: "d" }] },
        { role: "user", content: "q2" },
      ],
    };
    expect(toAnthropicRequest(req, opts).body.messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "redacted_thinking", data: "d" }, { type: "text", text: "a" }],
    });
  });
});
