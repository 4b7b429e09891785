/**
 * Anthropic round trips: a random canonical request through the outbound
 * mapper (toAnthropicRequest) and back through the inbound one
 * (anthropicRequestToCanonical) keeps every field Anthropic has a place for;
 * and a Messages response written from a random answer reads back as that
 * answer.
 *
 * Allowed differences, all Anthropic's shape: consecutive same-role turns
 * merge (tool results join the next user turn), an assistant turn's text
 * parts come back concatenated, developer messages come back as system ones,
 * and an absent max_tokens comes back as the mapper's default.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../../src/core/types.js";
import { anthropicRequestToCanonical } from "../../src/providers/anthropic/inbound/request.js";
import { defaultMaxTokens, toAnthropicRequest } from "../../src/providers/anthropic/request.js";
import { fromAnthropicMessage } from "../../src/providers/anthropic/response.js";
import { answerArb, requestArb } from "./arbitraries.js";
import {
  answerOf, callsOf, expectedAnswer, maxTokensOf, overTheWire, stopsOf, textsOf, type CallView,
} from "./canonical-view.js";
import { check } from "./check.js";

const models = fc.constantFrom("claude-sonnet-4-5", "claude-3-haiku-20240307");

type UserItem = { text: string } | { image: string } | { result: { id: string | undefined; texts: string[] } };
interface Turn { role: "user" | "assistant"; items: UserItem[]; text: string; calls: CallView[] }

/** The conversation as Anthropic sees it: alternating turns, tool results on the user side, an assistant turn's text as one string. */
function turnsOf(messages: readonly ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const m of messages) {
    if (m.role === "system" || m.role === "developer") continue;
    const turn: Turn = { role: m.role === "assistant" ? "assistant" : "user", items: [], text: "", calls: [] };
    // A result's text parts may come back as a string when there is one: its texts are what counts.
    if (m.role === "tool") turn.items.push({ result: { id: m.tool_call_id, texts: textsOf(m.content) } });
    else if (m.role === "assistant") {
      turn.text = textsOf(m.content).join("");
      turn.calls = callsOf(m);
    } else if (typeof m.content === "string") turn.items.push({ text: m.content });
    else {
      for (const p of m.content ?? []) {
        if (p.type === "text") turn.items.push({ text: p.text });
        else if (p.type === "image_url") turn.items.push({ image: p.image_url.url });
      }
    }
    const last = turns.at(-1);
    if (last?.role === turn.role) {
      last.items.push(...turn.items);
      last.text += turn.text;
      last.calls.push(...turn.calls);
    } else turns.push(turn);
  }
  return turns;
}

const systemTexts = (request: ChatRequest): string[] =>
  request.messages.filter((m) => m.role === "system" || m.role === "developer").flatMap((m) => textsOf(m.content));

/** Outbound, over the wire, inbound. */
function roundTrip(request: ChatRequest): ChatRequest {
  return anthropicRequestToCanonical(overTheWire(toAnthropicRequest(request, { stream: false }).body));
}

/** Every key the inbound mapper may set for a request without thinking or streaming. */
const CANONICAL_KEYS = new Set(["model", "messages", "max_tokens", "temperature", "top_p", "top_k", "stop", "user", "tools", "tool_choice", "parallel_tool_calls"]);

describe("Anthropic: canonical → Messages request → canonical", () => {
  it("keeps system text, every turn's texts and images, tools, tool calls and results, tool_choice and sampling", () => {
    check(fc.property(requestArb(models), (request) => {
      const back = roundTrip(request);

      expect(back.model).toBe(request.model);
      expect(systemTexts(back)).toEqual(systemTexts(request));
      expect(turnsOf(back.messages)).toEqual(turnsOf(request.messages));
      // Descriptions are absent or non-blank, parameters are always given: the definitions come back whole.
      expect(back.tools).toEqual(request.tools);

      const hasTools = (request.tools?.length ?? 0) > 0;
      const single = request.parallel_tool_calls === false;
      expect(back.tool_choice).toEqual(hasTools ? (request.tool_choice ?? (single ? "auto" : undefined)) : undefined);
      expect(back.parallel_tool_calls).toBe(hasTools && single && request.tool_choice !== "none" ? false : undefined);

      expect(back.temperature).toBe(request.temperature);
      expect(back.top_p).toBe(request.top_p);
      expect(back.top_k).toBe(request.top_k);
      expect(back.max_tokens).toBe(maxTokensOf(request) ?? defaultMaxTokens(request.model));
      expect(back.stop).toEqual(stopsOf(request));
      expect(back.user).toBe(request.user);
      expect(Object.keys(back).filter((k) => !CANONICAL_KEYS.has(k))).toEqual([]);
    }));
  });

  it("is idempotent: a second trip changes nothing", () => {
    check(fc.property(requestArb(models), (request) => {
      const once = roundTrip(request);
      expect(roundTrip(once)).toEqual(once);
    }));
  });
});

describe("Anthropic: Messages response → canonical", () => {
  it("keeps the text, every tool call (id, name, arguments) and says tool_calls when there are calls", () => {
    check(fc.property(answerArb, (answer) => {
      const body = {
        id: "msg_01XFDUDYJgAACzvnptvVoYEL",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5",
        content: [
          ...answer.texts.map((text) => ({ type: "text", text })),
          ...answer.calls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: c.args })),
        ],
        stop_reason: answer.calls.length > 0 ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 34 },
      };
      const choice = fromAnthropicMessage(overTheWire(body), "anthropic").choices[0]!;
      expect(answerOf(choice.message)).toEqual(expectedAnswer(answer.texts, answer.calls));
      expect(choice.finish_reason).toBe(answer.calls.length > 0 ? "tool_calls" : "stop");
    }));
  });
});
