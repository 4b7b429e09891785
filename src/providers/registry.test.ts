/**
 * What the registry assembles from the provider folders: the lists whose
 * order is behaviour (zero-config detection, prefix rules), the
 * always-present providers and the GenAI tracing names.
 */
import { describe, expect, it } from "vitest";
// The GenAI names each type contributes are tested through the tracing attributes, in test/telemetry/gen-ai.test.ts.
import { ALWAYS_CONFIGURED, FALLBACK_PROVIDER, PREFIX_RULES, providerSchema, providersFromEnv } from "./registry.js";

const EVERYTHING = {
  OPENAI_API_KEY: "sk-o", OPENAI_BASE_URL: "http://127.0.0.1:9/v1", GROQ_API_KEY: "gk", TOGETHER_API_KEY: "tk", MISTRAL_API_KEY: "mk",
  DEEPSEEK_API_KEY: "dk", OPENROUTER_API_KEY: "ok", FIREWORKS_API_KEY: "fk",
  AZURE_OPENAI_API_KEY: "ak", AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com", OPENAI_API_VERSION: "v1",
  ANTHROPIC_API_KEY: "an", GEMINI_API_KEY: "ge", OLLAMA_BASE_URL: "http://127.0.0.1:11434",
  AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "secret",
};

describe("zero-config", () => {
  it("always has the mock, and nothing else without the environment", () => {
    expect(ALWAYS_CONFIGURED).toEqual({ mock: { type: "mock" } });
    expect(providersFromEnv({})).toEqual({ mock: { type: "mock" } });
  });

  it("finds every provider in a fixed order, each block valid", () => {
    const providers = providersFromEnv(EVERYTHING);
    expect(Object.keys(providers)).toEqual([
      "mock", "openai", "groq", "together", "mistral", "deepseek", "openrouter", "fireworks", "azure", "anthropic", "gemini", "ollama", "bedrock",
    ]);
    expect(providers).toMatchObject({
      openai: { type: "openai", api_key: "sk-o", base_url: "http://127.0.0.1:9/v1" },
      groq: { type: "groq", api_key: "gk" },
      azure: { type: "azure", base_url: "https://r.openai.azure.com", api_key: "ak", api_version: "v1" },
      anthropic: { type: "anthropic", api_key: "an" },
      gemini: { type: "gemini", api_key: "ge" },
      ollama: { type: "ollama", base_url: "http://127.0.0.1:11434" },
      bedrock: { type: "bedrock", region: "eu-west-1" },
    });
    expect(providers.groq).not.toHaveProperty("base_url");
    for (const block of Object.values(providers)) expect(providerSchema.safeParse(block).success).toBe(true);
  });

  it("needs both halves of what a provider needs", () => {
    expect(Object.keys(providersFromEnv({ AZURE_OPENAI_API_KEY: "ak" }))).toEqual(["mock"]);
    expect(Object.keys(providersFromEnv({ AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIA" }))).toEqual(["mock"]);
    expect(providersFromEnv({ AWS_DEFAULT_REGION: "us-east-1", AWS_BEARER_TOKEN_BEDROCK: "t" }).bedrock).toEqual({ type: "bedrock", region: "us-east-1" });
  });
});

describe("prefix rules", () => {
  const route = (model: string) => PREFIX_RULES.filter(([pattern]) => pattern.test(model)).map(([, provider]) => provider);

  it("are tried in order, OpenAI first, and otherwise the fallback", () => {
    expect(PREFIX_RULES.map(([, provider]) => provider)).toEqual(["openai", "anthropic", "gemini"]);
    expect(FALLBACK_PROVIDER).toBe("ollama");
    expect(route("gpt-4o-mini")).toEqual(["openai"]);
    expect(route("o3-mini")).toEqual(["openai"]);
    expect(route("claude-sonnet-4-5")).toEqual(["anthropic"]);
    expect(route("gemini-2.5-flash")).toEqual(["gemini"]);
    // Both claim it: OpenAI's rule comes first, Gemini serves it when OpenAI is not configured.
    expect(route("text-embedding-004")).toEqual(["openai", "gemini"]);
    expect(route("llama3.2")).toEqual([]);
  });
});
