/**
 * Canonical → wire, against the request fixtures, plus the requests the
 * mapper must refuse with a clear 400.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import type { ChatRequest } from "../../core/types.js";
import { toGenerateContentRequest, type GeminiRequestOptions } from "./request.js";
import { SKIP_SIGNATURE } from "./tool-call-ids.js";

interface RequestFixture { description: string; options: GeminiRequestOptions; request: ChatRequest; wire: unknown }

function fixture(name: string): RequestFixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as RequestFixture;
}

const v1beta: GeminiRequestOptions = { apiVersion: "v1beta" };

function refusal(request: Partial<ChatRequest>, options = v1beta): GatewayError {
  try {
    toGenerateContentRequest({ model: "gemini-2.5-flash", messages: [], ...request }, options);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected the request to be refused");
}

describe("request fixtures", () => {
  for (const name of ["request-conversation.json", "request-tools.json", "request-json-schema.json", "request-v1.json"]) {
    it(name, () => {
      const { request, options, wire } = fixture(name);
      const body = toGenerateContentRequest(request, options);
      expect(body).toEqual(wire);
      // What goes on the wire is exactly the JSON of the expected body (no undefined-valued keys).
      expect(JSON.parse(JSON.stringify(body))).toEqual(wire);
    });
  }
});

describe("thought signatures on replayed tool calls", () => {
  const history = (call: Record<string, unknown>): ChatRequest["messages"] => [
    { role: "user", content: "weather?" },
    { role: "assistant", content: null, tool_calls: [call as never, { id: "call_2", type: "function", function: { name: "f", arguments: "{}" } }] },
    { role: "tool", tool_call_id: call.id as string, content: "ok" },
    { role: "tool", tool_call_id: "call_2", content: "ok" },
  ];
  const call = { id: "call_1", type: "function", function: { name: "f", arguments: "{}" } };

  it("Gemini 3 gets the documented placeholder on the first call of a turn that never had a signature", () => {
    const body = toGenerateContentRequest({ model: "gemini-3-pro-preview", messages: history(call) }, v1beta);
    expect(body.contents[1]?.parts.map((p) => p.thoughtSignature)).toEqual([SKIP_SIGNATURE, undefined]);
  });

  it("older models are sent no placeholder", () => {
    const body = toGenerateContentRequest({ model: "gemini-2.5-flash", messages: history(call) }, v1beta);
    expect(body.contents[1]?.parts.every((p) => p.thoughtSignature === undefined)).toBe(true);
  });

  it("reads Google's extra_content.google.thought_signature too", () => {
    const body = toGenerateContentRequest({
      model: "gemini-3-pro-preview",
      messages: history({ ...call, extra_content: { google: { thought_signature: "c2ln" } } }),
    }, v1beta);
    expect(body.contents[1]?.parts[0]?.thoughtSignature).toBe("c2ln");
  });
});

describe("refused requests", () => {
  it("tool-call arguments that are not JSON", () => {
    const error = refusal({ messages: [{ role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{city:" } }] }] });
    expect(error).toMatchObject({ code: "invalid_request", status: 400, param: "messages[0].tool_calls[0].function.arguments" });
  });

  it("tool-call arguments that are JSON but not an object", () => {
    const error = refusal({ messages: [{ role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "[1]" } }] }] });
    expect(error).toMatchObject({ code: "invalid_request", status: 400 });
  });

  it("a tool result whose call id names no earlier call", () => {
    const error = refusal({ messages: [{ role: "user", content: "x" }, { role: "tool", tool_call_id: "call_nope", content: "1" }] });
    expect(error).toMatchObject({ code: "invalid_request", param: "messages[1].tool_call_id" });
    expect(error.message).toContain("call_nope");
  });

  it("a recursive $ref in tool parameters", () => {
    const parameters = { type: "object", properties: { node: { $ref: "#/$defs/Node" } }, $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } } };
    const error = refusal({ messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "walk", parameters } }] });
    expect(error).toMatchObject({ code: "invalid_request", param: "tools[0].function.parameters" });
    expect(error.message).toContain("recursive");
  });

  it("non-function tools", () => {
    const error = refusal({ messages: [{ role: "user", content: "x" }], tools: [{ type: "web_search" } as never] });
    expect(error).toMatchObject({ code: "unsupported_operation", status: 400 });
  });

  it("media URLs that are neither data: nor http(s)", () => {
    const error = refusal({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "gs://bucket/cat.png" } }] }] });
    expect(error).toMatchObject({ code: "invalid_request", param: "messages[0].content[0].image_url.url" });
  });

  it("what the v1 surface cannot express", () => {
    const error = refusal({
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_object" },
      tools: [{ type: "function", function: { name: "f" } }],
    }, { apiVersion: "v1" });
    expect(error).toMatchObject({ code: "unsupported_operation", status: 400 });
    expect(error.message).toContain("tools, response_format");
    expect(error.message).toContain("api_version: v1beta");
  });
});

describe("smaller mappings", () => {
  it("json_object → responseMimeType only; tool_choice strings → modes; empty assistant text is left out", () => {
    const tools = [{ type: "function" as const, function: { name: "f", parameters: { type: "object", properties: { a: { type: "string" } } } } }];
    const base = { model: "gemini-2.5-flash", tools, messages: [{ role: "user" as const, content: "x" }, { role: "assistant" as const, content: "" }, { role: "user" as const, content: "y" }] };
    const modes = (["none", "auto", "required"] as const).map((choice) => toGenerateContentRequest({ ...base, tool_choice: choice }, v1beta).toolConfig?.functionCallingConfig.mode);
    expect(modes).toEqual(["NONE", "AUTO", "ANY"]);
    const body = toGenerateContentRequest({ ...base, response_format: { type: "json_object" } }, v1beta);
    expect(body.generationConfig).toEqual({ responseMimeType: "application/json" });
    expect(body.toolConfig).toBeUndefined();
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "x" }, { text: "y" }] }]);
  });

  it("audio, PDF files and URL-encoded data: URLs become inline data", () => {
    const body = toGenerateContentRequest({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: [
        { type: "input_audio", input_audio: { data: "UklGRg==", format: "mp3" } },
        { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
        { type: "image_url", image_url: { url: "data:image/svg+xml,%3Csvg%2F%3E" } },
      ] }],
    }, v1beta);
    expect(body.contents[0]?.parts).toEqual([
      { inlineData: { mimeType: "audio/mp3", data: "UklGRg==" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
      { inlineData: { mimeType: "image/svg+xml", data: Buffer.from("<svg/>").toString("base64") } },
    ]);
  });

  it("reasoning_effort none turns thinking off", () => {
    const body = toGenerateContentRequest({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "x" }], reasoning_effort: "none" }, v1beta);
    expect(body.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });
});
