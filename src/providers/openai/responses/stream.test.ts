/**
 * Canonical chunks → Responses stream events, and canonical completions →
 * Response objects, checked against fixtures and, for compatibility, by the
 * official openai client: its ResponseStream accumulator must rebuild the
 * right Response from the rendered SSE bytes.
 */
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { ChatChunk, ChatResponse } from "../../../core/types.js";
import { parseResponsesRequest } from "./request.js";
import { canonicalToResponse, responseShell } from "./response.js";
import { CanonicalToResponsesStream, responsesSSE } from "./stream.js";
import type { NumberedEvent, ResponseObject } from "./wire-types.js";

const json = <T>(file: string): T => JSON.parse(readFileSync(new URL(`fixtures/${file}`, import.meta.url), "utf8")) as T;

const REQUEST = parseResponsesRequest({
  model: "smart", input: "weather?",
  tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true }],
});
const WHO = { id: "resp_test", createdAt: 1700000000, store: true };

/** Generated ids (msg_…, fc_…) renamed msg_1, fc_1… in order of appearance, and the clock fixed, so fixtures compare. */
function normalized<T>(value: T): T {
  const names = new Map<string, string>();
  const counts: Record<string, number> = {};
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === "string" && /^(msg|fc)_[0-9a-f]{24}$/.test(v)) {
      const prefix = v.slice(0, v.indexOf("_"));
      if (!names.has(v)) names.set(v, `${prefix}_${(counts[prefix] = (counts[prefix] ?? 0) + 1)}`);
      return names.get(v);
    }
    return key === "completed_at" && typeof v === "number" ? 1700000001 : v;
  })) as T;
}

function translate(chunks: ChatChunk[]): NumberedEvent[] {
  const s = new CanonicalToResponsesStream(responseShell(REQUEST, WHO));
  return [...chunks.flatMap((c) => s.push(c)), ...s.end(), ...s.end()];
}

/** An OpenAI client whose every request is answered with `body`, as the gateway would. */
function clientAnswering(body: string): OpenAI {
  return new OpenAI({
    apiKey: "unused", baseURL: "http://gateway.invalid/v1", maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } }),
  });
}

const base = { id: "chatcmpl-1", object: "chat.completion.chunk" as const, created: 1, model: "gpt-4o" };
const chunk = (delta: ChatChunk["choices"][number]["delta"], finish: ChatChunk["choices"][number]["finish_reason"] = null): ChatChunk =>
  ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });

describe("canonical chunks → Responses events", () => {
  it("stream-tools: text, then two function calls one after the other, then response.completed (fixture)", () => {
    expect(normalized(translate(json<ChatChunk[]>("stream-tools.chunks.json")))).toEqual(json("stream-tools.events.json"));
  });

  it("the openai client rebuilds the same Response from the SSE bytes", async () => {
    const events = translate(json<ChatChunk[]>("stream-tools.chunks.json"));
    const stream = clientAnswering(events.map(responsesSSE).join("")).responses.stream({ model: "smart", input: "weather?" });
    const seen: string[] = [];
    stream.on("event", (e) => seen.push(e.type));
    const final = await stream.finalResponse();
    expect(seen).toEqual(events.map((e) => e.type));
    const completed = events.at(-1) as NumberedEvent & { response: ResponseObject };
    expect(normalized(final)).toMatchObject(normalized(completed.response));
    expect(final.output_text).toBe("Checking now.");
    expect(final.usage).toEqual({ input_tokens: 30, input_tokens_details: { cached_tokens: 10, cache_write_tokens: 0 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 42 });
  });

  it("a length cut ends with response.incomplete, and the message item incomplete", () => {
    const events = translate([chunk({ content: "one two" }), chunk({}, "length")]);
    const last = events.at(-1)!;
    expect(last.type).toBe("response.incomplete");
    expect(last).toMatchObject({ response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete" }] } });
    expect(events.find((e) => e.type === "response.output_item.done")).toMatchObject({ item: { status: "incomplete" } });
  });

  it("a refusal is its own content part", () => {
    const events = translate([chunk({ refusal: "I can't" }), chunk({ refusal: " help." }), chunk({}, "stop")]);
    expect(events.map((e) => e.type)).toEqual([
      "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
      "response.refusal.delta", "response.refusal.delta", "response.refusal.done", "response.content_part.done", "response.output_item.done", "response.completed",
    ]);
    expect(events.at(-1)).toMatchObject({ response: { output: [{ content: [{ type: "refusal", refusal: "I can't help." }] }] } });
  });

  it("an empty stream still opens and completes the response", () => {
    expect(translate([]).map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.completed"]);
  });

  it("a failure ends with one response.failed carrying the code, the output so far marked incomplete", async () => {
    const s = new CanonicalToResponsesStream(responseShell(REQUEST, WHO));
    const events = [...s.push(chunk({ content: "partial" })), ...s.fail("stream_interrupted", "The upstream connection broke."), ...s.end(), ...s.fail("x", "y")];
    const last = events.at(-1)!;
    expect(events.filter((e) => e.type === "response.failed")).toHaveLength(1);
    expect(last).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "stream_interrupted", message: "The upstream connection broke." }, output: [{ status: "incomplete", content: [{ text: "partial" }] }] },
    });
    expect(s.response.status).toBe("failed");
    // The client sees the failed Response as the stream's last event.
    const stream = clientAnswering(events.map(responsesSSE).join("")).responses.stream({ model: "smart", input: "x" });
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    expect(types.at(-1)).toBe("response.failed");
  });

  it("numbers every event from 0, without gaps", () => {
    const events = translate(json<ChatChunk[]>("stream-tools.chunks.json"));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(responsesSSE(events[0]!)).toMatch(/^event: response\.created\ndata: \{"type":"response\.created",.*"sequence_number":0\}\n\n$/);
  });

  it("a delta for an earlier call still reaches its item", () => {
    const s = new CanonicalToResponsesStream(responseShell(REQUEST, WHO));
    s.push(chunk({ tool_calls: [{ index: 0, id: "call_a", function: { name: "f", arguments: "{\"a\":" } }] }));
    s.push(chunk({ tool_calls: [{ index: 1, id: "call_b", function: { name: "g", arguments: "{}" } }] }));
    const late = s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }));
    expect(late).toMatchObject([{ type: "response.function_call_arguments.delta", output_index: 0, delta: "1}" }]);
    s.end();
    expect(s.response.output).toMatchObject([{ call_id: "call_a", arguments: "{\"a\":1}" }, { call_id: "call_b", arguments: "{}" }]);
  });
});

describe("canonical completion → Response object", () => {
  it("response-tools: a message item, then a function_call item per call, usage mapped (fixture)", () => {
    const response = canonicalToResponse(json<ChatResponse>("response-tools.chat.json"), REQUEST, WHO);
    expect(normalized(response)).toEqual(json("response-tools.response.json"));
  });

  it.each([["length", "max_output_tokens"], ["content_filter", "content_filter"]] as const)("finish %s → incomplete (%s)", (finish, reason) => {
    const chat: ChatResponse = { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "cut" }, finish_reason: finish }] };
    const response = canonicalToResponse(chat, REQUEST, WHO);
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason }, output: [{ type: "message", status: "incomplete" }] });
    expect(response.usage).toEqual({ input_tokens: 0, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 });
  });

  it("echoes the request's settings, with OpenAI's defaults", () => {
    const req = parseResponsesRequest({ model: "smart", input: "x", instructions: "hi", temperature: 0.5, max_output_tokens: 50, metadata: { a: "b" }, previous_response_id: "resp_prev", text: { format: { type: "json_object" } }, reasoning: { effort: "high" }, tool_choice: "required", parallel_tool_calls: false });
    expect(responseShell(req, { ...WHO, store: false })).toMatchObject({
      instructions: "hi", temperature: 0.5, top_p: 1, max_output_tokens: 50, metadata: { a: "b" }, previous_response_id: "resp_prev", store: false,
      text: { format: { type: "json_object" } }, reasoning: { effort: "high", summary: null }, tool_choice: "required", parallel_tool_calls: false, status: "in_progress", usage: null,
    });
  });
});
