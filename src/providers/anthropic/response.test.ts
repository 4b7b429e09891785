import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.js";
import { finishReasonOf, fromAnthropicMessage } from "./response.js";

const dir = new URL("./fixtures/", import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.startsWith("response-") && f.endsWith(".json"));

describe("Anthropic message → canonical (fixtures)", () => {
  it.each(fixtures)("%s", (file) => {
    const fx = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as { anthropic: unknown; canonical: unknown; jsonTool?: string };
    const before = Math.floor(Date.now() / 1000);
    const res = fromAnthropicMessage(fx.anthropic, "anthropic", fx.jsonTool === undefined ? {} : { jsonTool: fx.jsonTool });
    expect(res.created).toBeGreaterThanOrEqual(before);
    expect({ ...res, created: 0 }).toEqual(fx.canonical);
  });
});

describe("response rules", () => {
  it("maps every stop reason", () => {
    expect(finishReasonOf("end_turn")).toBe("stop");
    expect(finishReasonOf("stop_sequence")).toBe("stop");
    expect(finishReasonOf("pause_turn")).toBe("stop");
    expect(finishReasonOf("max_tokens")).toBe("length");
    expect(finishReasonOf("model_context_window_exceeded")).toBe("length");
    expect(finishReasonOf("tool_use")).toBe("tool_calls");
    expect(finishReasonOf("refusal")).toBe("content_filter");
  });

  it("rejects a body that is not a message, and a malformed known block", () => {
    expect(() => fromAnthropicMessage({ hello: 1 }, "anthropic")).toThrow(GatewayError);
    const bad = { id: "m", model: "x", content: [{ type: "text" }], stop_reason: "end_turn" };
    expect(() => fromAnthropicMessage(bad, "anthropic")).toThrow(/cannot read/);
  });

  it("gives an empty string, not null, for an answer with no text and no tools", () => {
    const res = fromAnthropicMessage({ id: "m", model: "x", content: [], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 0 } }, "a");
    expect(res.choices[0]?.message.content).toBe("");
  });
});
