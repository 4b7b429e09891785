import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../core/errors.js";
import { inputEntries, referencedIds, resolveReferences, toMessages } from "./items.js";
import { parseResponsesRequest, toChatRequest } from "./request.js";
import type { StoredItem } from "./wire-types.js";

const fixture = JSON.parse(readFileSync(new URL("fixtures/request-conversation.json", import.meta.url), "utf8")) as { responses: unknown; canonical: unknown };

/** The whole translation, as the route runs it, for a request without references. */
function canonical(body: unknown, history: StoredItem[] = []) {
  const req = parseResponsesRequest(body);
  return toChatRequest(req, toMessages([...history, ...resolveReferences(inputEntries(req.input), new Map())]));
}

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected an error");
}

const valid = { model: "smart", input: "hi" };

describe("Responses request → canonical (fixtures)", () => {
  it("request-conversation.json: every item kind, tools, json_schema, sampling, reasoning effort", () => {
    expect(canonical(fixture.responses)).toEqual(fixture.canonical);
  });

  it("a string input is one user message; OpenAI's defaults send nothing extra", () => {
    expect(canonical(valid)).toEqual({ model: "smart", messages: [{ role: "user", content: "hi" }] });
  });

  it("keeps items in the form input_items lists them, with ids (the client's, or new ones)", () => {
    const req = parseResponsesRequest(fixture.responses);
    const items = resolveReferences(inputEntries(req.input), new Map());
    expect(items[0]).toEqual({ id: expect.stringMatching(/^msg_/), type: "message", role: "developer", content: [{ type: "input_text", text: "Use metric units." }] });
    expect(items[2]!.id).toBe("msg_prev");
    expect(items[3]!.id).toBe("fc_1");
    expect(items[4]!.id).toMatch(/^fc_/);
    expect(items[6]!.id).toMatch(/^fco_/);
    expect(Object.keys(items[3]!).slice(0, 2)).toEqual(["id", "type"]);
    const assistant = inputEntries([{ role: "assistant", content: "said before" }])[0]!;
    expect(assistant).toMatchObject({ item: { content: [{ type: "output_text", text: "said before", annotations: [] }] } });
  });

  it("puts this request's instructions first, ahead of an earlier conversation", () => {
    const history: StoredItem[] = [
      { id: "msg_1", type: "message", role: "user", content: [{ type: "input_text", text: "one" }] },
      { id: "msg_2", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "1", annotations: [], logprobs: [] }] },
    ];
    expect(canonical({ ...valid, instructions: "Be kind.", input: "two" }, history).messages).toEqual([
      { role: "system", content: "Be kind." }, { role: "user", content: "one" }, { role: "assistant", content: "1" }, { role: "user", content: "two" },
    ]);
  });

  it("allowed_tools narrows the tools sent; a forced function is named", () => {
    const tools = ["a", "b", "c"].map((name) => ({ type: "function", name, parameters: { type: "object" } }));
    const narrowed = canonical({ ...valid, tools, tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "b" }] } });
    expect(narrowed.tools?.map((t) => t.function.name)).toEqual(["b"]);
    expect(narrowed.tool_choice).toBe("required");
    expect(canonical({ ...valid, tools, tool_choice: { type: "function", name: "c" } }).tool_choice).toEqual({ type: "function", function: { name: "c" } });
    expect(canonical({ ...valid, text: { format: { type: "json_object" } } }).response_format).toEqual({ type: "json_object" });
  });

  it("resolves item references, and answers an unknown one with a 404", () => {
    const entries = inputEntries([{ type: "item_reference", id: "msg_kept" }, { id: "fc_kept" }, { role: "user", content: "and?" }]);
    expect(referencedIds(entries)).toEqual(["msg_kept", "fc_kept"]);
    const found = new Map<string, StoredItem>([
      ["msg_kept", { id: "msg_kept", type: "message", role: "assistant", content: [{ type: "output_text", text: "kept" }] }],
      ["fc_kept", { id: "fc_kept", type: "function_call", call_id: "call_k", name: "f", arguments: "{}" }],
    ]);
    expect(toMessages(resolveReferences(entries, found))).toEqual([
      { role: "assistant", content: "kept", tool_calls: [{ id: "call_k", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "user", content: "and?" },
    ]);
    const err = errorOf(() => resolveReferences(entries, new Map()));
    expect(err.status).toBe(404);
    expect(err.message).toBe("Item with id 'msg_kept' not found.");
  });
});

describe("Responses request: what is refused, naming the field", () => {
  it.each([
    [{ ...valid, tools: [{ type: "web_search" }] }, "tools.0.type"],
    [{ ...valid, tools: [{ type: "function", parameters: {} }] }, "tools.0.name"],
    [{ ...valid, tool_choice: { type: "file_search" } }, "tool_choice.type"],
    [{ ...valid, background: true }, "background"],
    [{ ...valid, conversation: "conv_1" }, "conversation"],
    [{ ...valid, prompt: { id: "pmpt_1" } }, "prompt"],
    [{ ...valid, context_management: [{ type: "compaction" }] }, "context_management"],
    [{ ...valid, text: { format: { type: "json_schema", schema: {} } } }, "text.format.name"],
    [{ ...valid, temperature: 3 }, "temperature"],
    [{ ...valid, metadata: { n: 1 } }, "metadata.n"],
    [{ input: "x" }, "model"],
    [{ ...valid, previous_response_id: "resp\u0000x" }, "previous_response_id"],
  ])("%j → 400 on %s", (body, param) => {
    const err = errorOf(() => canonical(body));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
    expect(err.message.startsWith(`${param}: `)).toBe(true);
  });

  it.each([
    [[{ type: "web_search_call", id: "ws_1" }], "input.0.type"],
    [[{ role: "user", content: [{ type: "input_image", file_id: "file_1" }] }], "input.0.content.0.image_url"],
    [[{ role: "user", content: [{ type: "input_file", file_url: "https://x/y.pdf" }] }], "input.0.content.0.file_data"],
    [[{ role: "tool", content: "x" }], "input.0.role"],
    [[{ type: "function_call_output", output: "x" }], "input.0.call_id"],
    [[{ type: "message", id: "msg\n1", role: "user", content: "x" }], "input.0.id"],
    [["just a string"], "input.0"],
  ])("input %j → 400 on %s", (input, param) => {
    const err = errorOf(() => canonical({ ...valid, input }));
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
  });

  it("an empty conversation asks for input", () => {
    expect(errorOf(() => canonical({ model: "smart" })).param).toBe("input");
    expect(errorOf(() => canonical({ model: "smart", input: [] })).param).toBe("input");
  });

  it("accepts, and ignores, what changes nothing a client can see", () => {
    const out = canonical({
      ...valid, include: ["message.output_text.logprobs"], truncation: "auto", service_tier: "flex", prompt_cache_key: "k",
      safety_identifier: "s", top_logprobs: 3, max_tool_calls: 2, stream_options: { include_obfuscation: false }, reasoning: { summary: "auto" },
    });
    expect(out).toEqual({ model: "smart", messages: [{ role: "user", content: "hi" }] });
  });
});
