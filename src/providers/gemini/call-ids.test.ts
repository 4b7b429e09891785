/**
 * Function-call ids on the Gemini wire: an id Gemini issued (or a client's
 * own) goes back on the replayed call and on its response, so several calls
 * of one function are told apart; an id the gateway made up is not sent.
 */
import { describe, expect, it } from "vitest";
import { newId } from "../../core/ids.js";
import type { ChatRequest } from "../../core/types.js";
import { toGenerateContentRequest } from "./request.js";

const conversation = (ids: [string, string]): ChatRequest => ({
  model: "gemini-2.5-flash",
  messages: [
    { role: "user", content: "weather in Paris and Tokyo?" },
    {
      role: "assistant", content: null,
      tool_calls: ids.map((id, i) => ({ id, type: "function" as const, function: { name: "get_weather", arguments: JSON.stringify({ city: ["Paris", "Tokyo"][i] }) } })),
    },
    // Answered out of order: only the ids say which result is whose.
    { role: "tool", tool_call_id: ids[1], content: "Tokyo: rain" },
    { role: "tool", tool_call_id: ids[0], content: "Paris: sun" },
  ],
});

const wireParts = (request: ChatRequest) => toGenerateContentRequest(request, { apiVersion: "v1beta" }).contents.flatMap((c) => c.parts);

describe("Gemini function-call ids", () => {
  it("sends Gemini's ids back on the calls and on the matching responses", () => {
    const parts = wireParts(conversation(["fc_paris", "fc_tokyo"]));
    expect(parts.filter((p) => p.functionCall).map((p) => p.functionCall!.id)).toEqual(["fc_paris", "fc_tokyo"]);
    expect(parts.filter((p) => p.functionResponse).map((p) => [p.functionResponse!.id, p.functionResponse!.response])).toEqual([
      ["fc_tokyo", { result: "Tokyo: rain" }],
      ["fc_paris", { result: "Paris: sun" }],
    ]);
  });

  it("keeps the id apart from a thought signature carried in it", () => {
    const parts = wireParts(conversation(["fc_paris__thought__c2ln", "fc_tokyo"]));
    expect(parts.find((p) => p.functionCall)).toMatchObject({ functionCall: { id: "fc_paris" }, thoughtSignature: "c2ln" });
  });

  it("does not send ids the gateway made up", () => {
    const parts = wireParts(conversation([newId("call"), newId("call")]));
    expect(parts.filter((p) => p.functionCall || p.functionResponse).every((p) => (p.functionCall ?? p.functionResponse)!.id === undefined)).toBe(true);
  });
});
