import { encodeChat as encodeChatCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encodeChat as encodeChatO200k } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/core/types.js";
import { countChatTokens, countRequestTokens, countTokens, encodingFor, preloadEncodings } from "../../src/cost/index.js";

describe("encodingFor", () => {
  it.each([
    ["gpt-4o", "o200k_base"], ["gpt-4o-mini-2024-07-18", "o200k_base"], ["gpt-4.1-nano", "o200k_base"], ["o1", "o200k_base"],
    ["o3-mini", "o200k_base"], ["o4-mini", "o200k_base"], ["gpt-5", "o200k_base"], ["openai/gpt-5-mini", "o200k_base"],
    ["gpt-4", "cl100k_base"], ["gpt-3.5-turbo", "cl100k_base"], ["claude-sonnet-4-5", "cl100k_base"], ["gemini-2.5-pro", "cl100k_base"],
    ["llama3.2", "cl100k_base"], ["ollama", "cl100k_base"],
  ])("%s → %s", (model, enc) => expect(encodingFor(model)).toBe(enc));
});

describe("countTokens", () => {
  it("matches known counts", () => {
    expect(countTokens("hello world", "gpt-4o")).toBe(2);
    expect(countTokens("hello world", "gpt-4")).toBe(2);
    // The OpenAI cookbook's example: 6 tokens in cl100k_base.
    expect(countTokens("tiktoken is great!", "gpt-3.5-turbo")).toBe(6);
    expect(countTokens("", "gpt-4o")).toBe(0);
  });

  it("counts special-token text as plain text instead of throwing", () => {
    expect(countTokens("<|endoftext|>", "gpt-4o")).toBeGreaterThan(1);
  });

  it("gives the same answer from the short-string memo", () => {
    preloadEncodings();
    const first = countTokens("a short repeated string", "gpt-4o");
    expect(countTokens("a short repeated string", "gpt-4o")).toBe(first);
    // The two encodings are memoised apart.
    expect(countTokens("Ünïcödé façade — naïve", "gpt-4")).not.toBe(0);
  });

  it("counts long text", () => {
    // 10 tokens a sentence ("The", " quick", …, " dog", "."), the joins folded into " The".
    const text = Array.from({ length: 200 }, () => "The quick brown fox jumps over the lazy dog.").join(" ");
    expect(countTokens(text, "gpt-4o")).toBe(2000);
  });
});

describe("countChatTokens (OpenAI's chat framing)", () => {
  const messages: ChatMessage[] = [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", name: "alice", content: "What is the capital of France?" },
    { role: "assistant", content: "Paris." },
    { role: "user", content: "And of Italy?" },
  ];

  it("a single user message: 3 framing + role + content + 3 priming", () => {
    // 3 + "user"(1) + "hello world"(2) + 3
    expect(countChatTokens([{ role: "user", content: "hello world" }], "gpt-4o")).toBe(9);
  });

  it("agrees with gpt-tokenizer's own chat encoding (o200k and cl100k)", () => {
    const unnamed = messages.map(({ role, content }) => ({ role, content }));
    const plain = unnamed.map(({ role, content }) => ({ role: role as "system" | "user" | "assistant", content: content as string }));
    expect(countChatTokens(unnamed, "gpt-4o")).toBe(encodeChatO200k(plain, "gpt-4o").length);
    expect(countChatTokens(unnamed, "gpt-4")).toBe(encodeChatCl100k(plain, "gpt-4").length);
  });

  it("a name costs 1 token plus its text (the cookbook's tokens_per_name; gpt-tokenizer leaves names out)", () => {
    const unnamed = messages.map(({ role, content }) => ({ role, content }));
    expect(countChatTokens(messages, "gpt-4o")).toBe(countChatTokens(unnamed, "gpt-4o") + 1 + countTokens("alice", "gpt-4o"));
  });

  it("counts text parts, images by detail, tool calls and tools", () => {
    const withParts = countChatTokens([{ role: "user", content: [{ type: "text", text: "hello world" }, { type: "image_url", image_url: { url: "data:,", detail: "low" } }] }], "gpt-4o");
    expect(withParts).toBe(9 + 85);
    const call: ChatMessage = { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } }] };
    const expectedCall = 3 + countTokens("assistant", "gpt-4o") + 3 + countTokens("get_weather", "gpt-4o") + countTokens("{\"city\":\"Paris\"}", "gpt-4o") + 3;
    expect(countChatTokens([call], "gpt-4o")).toBe(expectedCall);
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
    expect(countRequestTokens({ model: "gpt-4o", messages: [{ role: "user", content: "hello world" }], tools }))
      .toBe(9 + countTokens(JSON.stringify(tools), "gpt-4o"));
  });
});
