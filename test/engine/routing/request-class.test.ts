import { describe, expect, it } from "vitest";
import { classify, classIndex, estimatePromptTokens, REQUEST_CLASS_COUNT } from "../../../src/engine/routing/request-class.js";
import type { RequestClass } from "../../../src/engine/routing/types.js";

const text = (chars: number) => "x".repeat(chars);

describe("classify", () => {
  it("buckets by characters / 4 of the message text: small < 1k ≤ medium < 8k ≤ large", () => {
    const req = (chars: number) => ({ model: "m", messages: [{ role: "user", content: text(chars) }] });
    expect(classify(req(3_996), false).size).toBe("small");
    expect(classify(req(4_000), false).size).toBe("medium");
    expect(classify(req(31_996), false).size).toBe("medium");
    expect(classify(req(32_000), false).size).toBe("large");
  });

  it("counts text parts, tool-call arguments, system and tool results, but not images", () => {
    const req = {
      model: "m",
      system: text(1_000),
      messages: [
        { role: "user", content: [{ type: "text", text: text(1_000) }, { type: "image_url", image_url: { url: `data:image/png;base64,${text(100_000)}` } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: text(1_000) } }] },
        { role: "user", content: [{ type: "tool_result", content: [{ type: "text", text: text(1_000) }] }] },
      ],
    };
    expect(estimatePromptTokens(req)).toBe(1_000);
    expect(classify(req, false).size).toBe("medium");
  });

  it("counts the whole prompt unless given a cap (classification stops counting at the large threshold)", () => {
    const req = { messages: [{ role: "user", content: text(400_000) }, { role: "user", content: text(400_000) }] };
    expect(estimatePromptTokens(req)).toBe(200_000);
    expect(estimatePromptTokens(req, 8_000)).toBe(8_000);
  });

  it("reads completions prompts and embeddings inputs, and treats anything else as small", () => {
    expect(classify({ prompt: text(40_000) }, false).size).toBe("large");
    expect(classify({ input: [text(2_000), text(2_000)] }, false).size).toBe("medium");
    expect(classify(undefined, false)).toEqual({ size: "small", tools: false, stream: false });
    expect(classify("nonsense", true)).toEqual({ size: "small", tools: false, stream: true });
  });

  it("sets tools when the request declares any (tools or legacy functions)", () => {
    const fn = { type: "function", function: { name: "f" } };
    expect(classify({ messages: [], tools: [fn] }, false).tools).toBe(true);
    expect(classify({ messages: [], tools: [] }, false).tools).toBe(false);
    expect(classify({ messages: [], functions: [{ name: "f" }] }, true)).toEqual({ size: "small", tools: true, stream: true });
  });

  it("gives every class its own index in 0..11", () => {
    const seen = new Set<number>();
    for (const size of ["small", "medium", "large"] as const) {
      for (const tools of [false, true]) for (const stream of [false, true]) seen.add(classIndex({ size, tools, stream } satisfies RequestClass));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(REQUEST_CLASS_COUNT).keys()]);
  });
});
