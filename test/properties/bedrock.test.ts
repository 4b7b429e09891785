/**
 * Bedrock: invariants of the Converse body built from a random canonical
 * request, across model families with different quirks (images, forced tool
 * choice, system prompts): every text in order and in the right role, in
 * alternating turns; system text in `system` (or leading the first user turn
 * where the model has no system prompt); images as bytes; tools with their
 * schemas; calls with their input; results linked by toolUseId; generation
 * parameters in inferenceConfig. What a family cannot take (https images,
 * images on a text-only model, a forced tool choice where only "auto" works)
 * is refused with a 400 naming the field. And a Converse response written from
 * a random answer reads back as that answer.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/core/errors.js";
import type { ChatRequest } from "../../src/core/types.js";
import { quirksOf, type FamilyQuirks } from "../../src/providers/bedrock/model-family.js";
import { toConverseRequest } from "../../src/providers/bedrock/request.js";
import { fromConverseResponse } from "../../src/providers/bedrock/response.js";
import type { ConverseRequestBody, WireContentBlock } from "../../src/providers/bedrock/wire-types.js";
import { answerArb, requestArb, type ImageMode } from "./arbitraries.js";
import {
  answerOf, callsOf, expectedAnswer, isHttpsUrl, jsonObjectOf, maxTokensOf, overTheWire, parseDataUrl, stopsOf, textsOf,
} from "./canonical-view.js";
import { check, thrown } from "./check.js";

/** One model per combination of quirks the mapper knows. */
const models = fc.constantFrom(
  "anthropic.claude-3-5-sonnet-20240620-v1:0",
  "us.amazon.nova-pro-v1:0",
  "meta.llama3-2-90b-instruct-v1:0", // images, but tool_choice auto only
  "meta.llama3-1-70b-instruct-v1:0", // text only, tool_choice auto only
  "mistral.mistral-7b-instruct-v0:2", // text only, no system prompt
  "mistral.pixtral-large-2502-v1:0",
);

type Event = { role: "user" | "assistant"; block: WireContentBlock };

function expectedEvents(request: ChatRequest, quirks: FamilyQuirks): Event[] {
  const system = request.messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => textsOf(m.content).join(""));
  const events: Event[] = [];
  // Without a system prompt the instructions lead the first user turn (the conversation opens with one).
  if (!quirks.systemPrompt && system.length > 0) events.push({ role: "user", block: { text: system.join("\n\n") } });
  for (const m of request.messages) {
    if (m.role === "user") {
      const parts = typeof m.content === "string" ? [{ type: "text" as const, text: m.content }] : (m.content ?? []);
      for (const p of parts) {
        if (p.type === "text") events.push({ role: "user", block: { text: p.text } });
        else if (p.type === "image_url") {
          const { mediaType, data } = parseDataUrl(p.image_url.url);
          events.push({ role: "user", block: { image: { format: mediaType === "image/png" ? "png" : "jpeg", source: { bytes: data } } } });
        }
      }
    } else if (m.role === "assistant") {
      for (const text of textsOf(m.content)) events.push({ role: "assistant", block: { text } });
      for (const c of callsOf(m)) events.push({ role: "assistant", block: { toolUse: { toolUseId: c.id, name: c.name, input: c.args } } });
    } else if (m.role === "tool") {
      const text = textsOf(m.content).join("");
      const json = text.trim().startsWith("{") ? jsonObjectOf(text.trim()) : undefined;
      events.push({ role: "user", block: { toolResult: { toolUseId: m.tool_call_id!, content: [json === undefined ? { text } : { json }] } } });
    }
  }
  return events;
}

/** The param of the 400 Bedrock's mapper must answer for this model, or undefined when it must map the request. */
function expectedRefusal(request: ChatRequest, quirks: FamilyQuirks): string | undefined {
  for (const [i, m] of request.messages.entries()) {
    if (!Array.isArray(m.content)) continue;
    for (const [j, p] of m.content.entries()) {
      if (p.type !== "image_url") continue;
      if (!quirks.vision) return `messages[${i}].content[${j}]`;
      if (isHttpsUrl(p.image_url.url)) return `messages[${i}].content[${j}].image_url.url`;
    }
  }
  const choice = request.tool_choice;
  const forced = choice === "required" || typeof choice === "object";
  return (request.tools?.length ?? 0) > 0 && forced && !quirks.forcedToolChoice ? "tool_choice" : undefined;
}

function expectedToolConfig(request: ChatRequest): ConverseRequestBody["toolConfig"] {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === "none") {
    // Converse refuses toolUse blocks without a toolConfig: the tools named in the history are declared, open.
    const names = [...new Set(request.messages.flatMap(callsOf).map((c) => c.name))];
    return names.length === 0 ? undefined : { tools: names.map((name) => ({ toolSpec: { name, inputSchema: { json: { type: "object" } } } })) };
  }
  const toolChoice = choice === undefined ? undefined
    : choice === "auto" ? { auto: {} } : choice === "required" ? { any: {} } : { tool: { name: choice.function.name } };
  return {
    tools: tools.map((t) => ({
      toolSpec: {
        name: t.function.name,
        ...(t.function.description === undefined ? {} : { description: t.function.description }),
        inputSchema: { json: t.function.parameters! },
      },
    })),
    ...(toolChoice === undefined ? {} : { toolChoice }),
  };
}

function refusedOrMapped(request: ChatRequest): void {
  const quirks = quirksOf(request.model);
  const param = expectedRefusal(request, quirks);
  if (param !== undefined) {
    const error = thrown(() => toConverseRequest(request, quirks));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, code: "invalid_request", param });
    return;
  }
  const body = overTheWire(toConverseRequest(request, quirks));
  const events = body.messages.flatMap((m) => m.content.map((block): Event => ({ role: m.role, block })));
  expect(events).toEqual(expectedEvents(request, quirks));
  body.messages.forEach((m, i) => {
    expect(m.content.length).toBeGreaterThan(0);
    if (i > 0) expect(m.role).not.toBe(body.messages[i - 1]!.role);
  });
  expect(body.messages[0]?.role).toBe("user");

  const system = request.messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => textsOf(m.content).join(""));
  expect(body.system).toEqual(quirks.systemPrompt && system.length > 0 ? system.map((text) => ({ text })) : undefined);
  expect(body.toolConfig).toEqual(expectedToolConfig(request));

  const inference = { maxTokens: maxTokensOf(request), temperature: request.temperature, topP: request.top_p, stopSequences: stopsOf(request) };
  const defined = Object.fromEntries(Object.entries(inference).filter(([, v]) => v !== undefined));
  expect(body.inferenceConfig).toEqual(Object.keys(defined).length > 0 ? defined : undefined);
  // top_k has no Converse field: it reaches the model as a native parameter. Nothing else leaks there.
  expect(body.additionalModelRequestFields).toEqual(request.top_k === undefined ? undefined : { top_k: request.top_k });
  expect(Object.keys(body).filter((k) => !["messages", "system", "inferenceConfig", "toolConfig", "additionalModelRequestFields"].includes(k))).toEqual([]);
}

describe("Bedrock: canonical → Converse request", () => {
  it.each<ImageMode>(["data", "any"])("maps or refuses (as the model family requires) requests with %s images", (images) => {
    check(fc.property(requestArb(models, images), refusedOrMapped));
  });
});

describe("Bedrock: Converse response → canonical", () => {
  it("keeps the text, every toolUse (id, name, input) and says tool_calls when there are calls", () => {
    check(fc.property(answerArb, (answer) => {
      const body = {
        output: {
          message: {
            role: "assistant",
            content: [
              ...answer.texts.map((text) => ({ text })),
              ...answer.calls.map((c) => ({ toolUse: { toolUseId: c.id, name: c.name, input: c.args } })),
            ],
          },
        },
        stopReason: answer.calls.length > 0 ? "tool_use" : "end_turn",
        usage: { inputTokens: 30, outputTokens: 12, totalTokens: 42 },
        metrics: { latencyMs: 321 },
      };
      const choice = fromConverseResponse(overTheWire(body), "us.amazon.nova-pro-v1:0", "req-1", "bedrock").choices[0]!;
      expect(answerOf(choice.message)).toEqual(expectedAnswer(answer.texts, answer.calls));
      expect(choice.finish_reason).toBe(answer.calls.length > 0 ? "tool_calls" : "stop");
    }));
  });
});
