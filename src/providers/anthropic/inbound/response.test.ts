import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ChatResponse } from "../../../core/types.js";
import { fromAnthropicMessage } from "../response.js";
import { canonicalResponseToAnthropic, toolInputOf } from "./response.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/inbound-response-${name}.json`, import.meta.url), "utf8")) as { canonical: ChatResponse; anthropic: Record<string, unknown>; requestedModel: string };

describe("canonical response → Anthropic message (fixtures)", () => {
  it("inbound-response-tools.json", () => {
    const fx = fixture("tools");
    expect(canonicalResponseToAnthropic(fx.canonical, fx.requestedModel)).toEqual(fx.anthropic);
  });

  it("inbound-response-openai.json", () => {
    const fx = fixture("openai");
    const msg = canonicalResponseToAnthropic(fx.canonical, fx.requestedModel);
    expect(msg.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect({ ...msg, id: "<generated>" }).toEqual(fx.anthropic);
  });

  it("round-trips an Anthropic message through canonical form", () => {
    const original = JSON.parse(readFileSync(new URL("../fixtures/response-thinking.json", import.meta.url), "utf8")) as { anthropic: Record<string, unknown> };
    const back = canonicalResponseToAnthropic(fromAnthropicMessage(original.anthropic, "a"), "claude-sonnet-4-5");
    expect(back.content).toEqual(original.anthropic.content);
    expect(back.stop_reason).toBe("max_tokens");
  });

  it("maps finish reasons and keeps unparseable arguments", () => {
    const res = (finish: ChatResponse["choices"][number]["finish_reason"]): ChatResponse => ({
      id: "x", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "" }, finish_reason: finish }],
    });
    expect(canonicalResponseToAnthropic(res("stop"), "m").stop_reason).toBe("end_turn");
    expect(canonicalResponseToAnthropic(res("content_filter"), "m").stop_reason).toBe("refusal");
    expect(canonicalResponseToAnthropic(res("stop"), "m").content).toEqual([]);
    expect(canonicalResponseToAnthropic(res("stop"), "m").usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(toolInputOf("{oops")).toEqual({ _raw: "{oops" });
  });
});
