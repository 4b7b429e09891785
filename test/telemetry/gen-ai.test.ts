import { describe, expect, it } from "vitest";
import { genAiNamesOf } from "../../src/providers/registry.js";
import {
  genAiRequestAttributes, genAiResponseAttributes, genAiSpanName, genAiUsageAttributes,
} from "../../src/telemetry/tracing.js";

// The names each provider type goes by come from its own folder, through the registry.
const genAiProviderName = (type: string) => genAiNamesOf(type).providerName;
const genAiSystem = (type: string) => genAiNamesOf(type).system;

describe("GenAI semantic conventions", () => {
  it.each([
    // type, gen_ai.provider.name, gen_ai.system (legacy spelling)
    ["openai", "openai", "openai"],
    ["azure", "azure.ai.openai", "az.ai.openai"],
    ["anthropic", "anthropic", "anthropic"],
    ["gemini", "gcp.gemini", "gemini"],
    ["bedrock", "aws.bedrock", "aws.bedrock"],
    ["groq", "groq", "groq"],
    ["mistral", "mistral_ai", "mistral_ai"],
    ["deepseek", "deepseek", "deepseek"],
    ["ollama", "ollama", "ollama"],
    ["vllm", "vllm", "vllm"],
    ["mock", "liaison.mock", "liaison.mock"],
  ])("maps provider type %s", (type, provider, system) => {
    expect(genAiProviderName(type)).toBe(provider);
    expect(genAiSystem(type)).toBe(system);
  });

  it("names spans '{operation} {model}'", () => {
    expect(genAiSpanName("chat", "gpt-4o")).toBe("chat gpt-4o");
    expect(genAiSpanName("embeddings", "text-embedding-3-small")).toBe("embeddings text-embedding-3-small");
  });

  it("builds request attributes, preferring max_completion_tokens and skipping what is unset", () => {
    expect(genAiRequestAttributes("chat", { model: "m", max_tokens: 10, max_completion_tokens: 20, n: 3, seed: 7, stop: ["a", "b"], temperature: null }, genAiNamesOf("azure"))).toEqual({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "azure.ai.openai",
      "gen_ai.system": "az.ai.openai",
      "gen_ai.request.model": "m",
      "gen_ai.request.max_tokens": 20,
      "gen_ai.request.temperature": undefined,
      "gen_ai.request.top_p": undefined,
      "gen_ai.request.seed": 7,
      "gen_ai.request.choice.count": 3,
      "gen_ai.request.stop_sequences": ["a", "b"],
      "gen_ai.request.encoding_formats": undefined,
    });
    expect(genAiRequestAttributes("embeddings", { model: "e", encoding_format: "base64" })).toMatchObject({
      "gen_ai.operation.name": "embeddings", "gen_ai.request.encoding_formats": ["base64"],
    });
  });

  it("builds response attributes from a chat response", () => {
    expect(genAiResponseAttributes({
      id: "chatcmpl-1", model: "gpt-4o-2024-08-06",
      choices: [{ finish_reason: "stop" }, { finish_reason: "length" }, { finish_reason: null }],
      usage: { prompt_tokens: 3, completion_tokens: 5 },
    })).toEqual({
      "gen_ai.response.id": "chatcmpl-1",
      "gen_ai.response.model": "gpt-4o-2024-08-06",
      "gen_ai.response.finish_reasons": ["stop", "length"],
      "gen_ai.usage.input_tokens": 3,
      "gen_ai.usage.output_tokens": 5,
    });
    expect(genAiResponseAttributes({ choices: [{ finish_reason: null }] })["gen_ai.response.finish_reasons"]).toBeUndefined();
    expect(genAiUsageAttributes(null)).toEqual({ "gen_ai.usage.input_tokens": undefined, "gen_ai.usage.output_tokens": undefined });
  });
});
