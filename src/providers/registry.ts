/**
 * The only file that names concrete providers. It assembles what each
 * provider folder contributes: the config block schemas (config.ts), the
 * adapters, and the lists the rest of the gateway consults without knowing
 * any provider by name (meta.ts): zero-config detection, the model-name
 * prefix rules, the always-present providers and the GenAI tracing names.
 * Order in these lists is behaviour: see each one.
 */
import { z } from "zod";
import type { TimeoutsConfig } from "./_shared/timeouts-schema.js";
import { anthropicConfigSchema } from "./anthropic/config.js";
import { ANTHROPIC_GEN_AI_NAMES, ANTHROPIC_PREFIX_RULE, anthropicFromEnv } from "./anthropic/meta.js";
import { azureConfigSchema } from "./azure/config.js";
import { AZURE_GEN_AI_NAMES, azureFromEnv } from "./azure/meta.js";
import { bedrockConfigSchema } from "./bedrock/config.js";
import { BEDROCK_GEN_AI_NAMES, bedrockFromEnv } from "./bedrock/meta.js";
import { geminiConfigSchema } from "./gemini/config.js";
import { GEMINI_GEN_AI_NAMES, GEMINI_PREFIX_RULE, geminiFromEnv } from "./gemini/meta.js";
import { createMockAdapter } from "./mock/adapter.js";
import { mockConfigSchema } from "./mock/config.js";
import { MOCK_ALWAYS_CONFIGURED, MOCK_GEN_AI_NAMES } from "./mock/meta.js";
import { ollamaConfigSchema } from "./ollama/config.js";
import { OLLAMA_FALLBACK_PROVIDER, ollamaFromEnv } from "./ollama/meta.js";
import { createOpenAIAdapter } from "./openai/adapter.js";
import { openAICompatibleConfigSchema } from "./openai/config.js";
import { OPENAI_GEN_AI_NAMES, OPENAI_PREFIX_RULE, openAIFromEnv } from "./openai/meta.js";
import type { Env, GenAiNames, PrefixRule, ProviderAdapter, Timeouts } from "./types.js";

/** A `providers:` entry, told apart by `type`. The order is the order of the options in validation messages. */
export const providerSchema = z.discriminatedUnion("type", [
  openAICompatibleConfigSchema, azureConfigSchema, mockConfigSchema,
  anthropicConfigSchema, geminiConfigSchema, ollamaConfigSchema, bedrockConfigSchema,
]);

export type ProviderConfig = z.infer<typeof providerSchema>;
export type ProviderConfigInput = z.input<typeof providerSchema>;

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: 10_000,
  firstByteMs: 120_000,
  idleMs: 60_000,
  totalMs: 600_000,
};

export function resolveTimeouts(...layers: (TimeoutsConfig | undefined)[]): Timeouts {
  const t = { ...DEFAULT_TIMEOUTS };
  for (const l of layers) {
    if (!l) continue;
    if (l.connect_ms) t.connectMs = l.connect_ms;
    if (l.first_byte_ms) t.firstByteMs = l.first_byte_ms;
    if (l.idle_ms) t.idleMs = l.idle_ms;
    if (l.total_ms) t.totalMs = l.total_ms;
  }
  return t;
}

/**
 * Builds one provider. Adapters other than the OpenAI base and the mock load
 * on demand: a gateway that never talks to Bedrock does not carry the AWS
 * signing libraries in memory.
 */
export async function createProvider(name: string, config: ProviderConfig, timeouts: Timeouts): Promise<ProviderAdapter> {
  switch (config.type) {
    case "mock":
      return createMockAdapter(name, config);
    case "anthropic":
      return (await import("./anthropic/adapter.js")).createAnthropicAdapter(name, config, timeouts);
    case "gemini":
      return (await import("./gemini/adapter.js")).createGeminiAdapter(name, config, timeouts);
    case "bedrock":
      return (await import("./bedrock/adapter.js")).createBedrockAdapter(name, config, timeouts);
    case "ollama":
      return (await import("./ollama/adapter.js")).createOllamaAdapter(name, config, timeouts);
    case "azure":
      return (await import("./azure/adapter.js")).createAzureAdapter(name, config, timeouts);
    default:
      return createOpenAIAdapter(name, config, timeouts);
  }
}

/** Providers every configuration has unless it defines one of the same name itself. */
export const ALWAYS_CONFIGURED: Readonly<Record<string, ProviderConfigInput>> = { ...MOCK_ALWAYS_CONFIGURED };

/**
 * Zero-config: the providers the environment configures, named by type. The
 * order is the order providers are listed in (GET /v1/models, messages).
 */
export function providersFromEnv(env: Env): Record<string, ProviderConfigInput> {
  return {
    ...ALWAYS_CONFIGURED,
    ...openAIFromEnv(env),
    ...azureFromEnv(env),
    ...anthropicFromEnv(env),
    ...geminiFromEnv(env),
    ...ollamaFromEnv(env),
    ...bedrockFromEnv(env),
  };
}

/** Zero-config routing of a bare model name: the first rule that matches a configured provider wins. */
export const PREFIX_RULES: readonly PrefixRule[] = [OPENAI_PREFIX_RULE, ANTHROPIC_PREFIX_RULE, GEMINI_PREFIX_RULE];

/** Where a bare model name goes when no prefix rule found its provider. */
export const FALLBACK_PROVIDER = OLLAMA_FALLBACK_PROVIDER;

const GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  ...OPENAI_GEN_AI_NAMES, ...AZURE_GEN_AI_NAMES, ...ANTHROPIC_GEN_AI_NAMES,
  ...GEMINI_GEN_AI_NAMES, ...BEDROCK_GEN_AI_NAMES, ...MOCK_GEN_AI_NAMES,
};

// Types the conventions do not list get their names made once, not once per span.
const genAiNamesByType = new Map<string, GenAiNames>(Object.entries(GEN_AI_NAMES));

/** How tracing names a provider type: as the GenAI conventions list it, else by the type itself. */
export function genAiNamesOf(type: string): GenAiNames {
  let names = genAiNamesByType.get(type);
  if (names === undefined) genAiNamesByType.set(type, (names = { providerName: type, system: type }));
  return names;
}
