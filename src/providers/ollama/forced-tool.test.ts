/**
 * Ollama cannot force a tool: a request that forces one gets the tool's
 * parameters as structured output, and its JSON answer comes back as the
 * call the client asked for — whole and streamed.
 */
import { describe, expect, it } from "vitest";
import type { ChatChunk, ChatRequest } from "../../core/types.js";
import { forcedTool, toOllamaChatRequest } from "./request.js";
import { fromOllamaChatResponse } from "./response.js";
import { ChatStreamTranslator } from "./stream.js";

const city = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
const request = (choice: ChatRequest["tool_choice"], tools = [{ type: "function" as const, function: { name: "extract", parameters: city } }]): ChatRequest =>
  ({ model: "llama3.2", messages: [{ role: "user", content: "Name a city" }], tools, tool_choice: choice }) as ChatRequest;

describe("a forced tool on Ollama", () => {
  it("is the named function, or the only tool under 'required'; nothing otherwise", () => {
    expect(forcedTool(request({ type: "function", function: { name: "extract" } }))?.name).toBe("extract");
    expect(forcedTool(request("required"))?.name).toBe("extract");
    expect(forcedTool(request("auto"))).toBeUndefined();
    const two = [{ type: "function" as const, function: { name: "a", parameters: city } }, { type: "function" as const, function: { name: "b", parameters: city } }];
    expect(forcedTool(request("required", two))).toBeUndefined();
  });

  it("is sent as format: the tool's parameters, without tools", () => {
    const wire = toOllamaChatRequest(request("required"), {}, false);
    expect(wire.format).toEqual(city);
    expect(wire.tools).toBeUndefined();
  });

  it("answers with a call to the tool carrying the JSON the model wrote", () => {
    const res = fromOllamaChatResponse({ model: "llama3.2", created_at: "2026-01-01T00:00:00Z", message: { role: "assistant", content: '{"name":"Oslo"}' }, done: true, done_reason: "stop" } as never, "llama3.2", "extract");
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls?.[0]?.function).toEqual({ name: "extract", arguments: '{"name":"Oslo"}' });
  });

  it("streams the call at the end, with the whole JSON as its arguments, and no text", () => {
    const t = new ChatStreamTranslator("local", "llama3.2", false, "extract");
    const chunks: ChatChunk[] = [];
    for (const piece of ['{"name":', '"Oslo"}']) chunks.push(...t.push({ model: "llama3.2", created_at: "2026-01-01T00:00:00Z", message: { role: "assistant", content: piece }, done: false }));
    chunks.push(...t.push({ model: "llama3.2", created_at: "2026-01-01T00:00:00Z", message: { role: "assistant", content: "" }, done: true, done_reason: "stop" }));
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
    expect(deltas.some((d) => typeof d.content === "string" && d.content.length > 0)).toBe(false);
    const call = deltas.find((d) => d.tool_calls)?.tool_calls?.[0];
    expect(call?.function).toEqual({ name: "extract", arguments: '{"name":"Oslo"}' });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });
});
