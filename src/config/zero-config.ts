/**
 * Zero-config: no file, providers from the usual environment variables, the
 * mock provider always there (DESIGN.md §2).
 */
import { OPENAI_PRESETS, type OpenAIPresetName } from "../providers/openai/presets.js";
import type { Env } from "./interpolate.js";
import type { ConfigInput } from "./schema.js";

type ProvidersInput = NonNullable<ConfigInput["providers"]>;

export function zeroConfig(env: Env): ConfigInput {
  const providers: ProvidersInput = { mock: { type: "mock" } };
  for (const [name, preset] of Object.entries(OPENAI_PRESETS) as [OpenAIPresetName, (typeof OPENAI_PRESETS)[OpenAIPresetName]][]) {
    const key = preset.apiKeyEnv ? env[preset.apiKeyEnv] : undefined;
    if (key) providers[name] = { type: name, api_key: key, ...(name === "openai" && env.OPENAI_BASE_URL ? { base_url: env.OPENAI_BASE_URL } : {}) };
  }
  if (env.AZURE_OPENAI_API_KEY && env.AZURE_OPENAI_ENDPOINT) {
    providers.azure = {
      type: "azure",
      base_url: env.AZURE_OPENAI_ENDPOINT,
      api_key: env.AZURE_OPENAI_API_KEY,
      ...(env.OPENAI_API_VERSION ? { api_version: env.OPENAI_API_VERSION } : {}),
    };
  }
  if (env.ANTHROPIC_API_KEY) providers.anthropic = { type: "anthropic", api_key: env.ANTHROPIC_API_KEY };
  if (env.GEMINI_API_KEY) providers.gemini = { type: "gemini", api_key: env.GEMINI_API_KEY };
  if (env.OLLAMA_BASE_URL) providers.ollama = { type: "ollama", base_url: env.OLLAMA_BASE_URL };
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region && ((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_BEARER_TOKEN_BEDROCK)) {
    providers.bedrock = { type: "bedrock", region }; // credentials come from the same AWS_* variables
  }
  const input: ConfigInput = { providers };
  if (env.LIAISON_ADMIN_KEY) input.admin_key = env.LIAISON_ADMIN_KEY;
  if (env.LIAISON_STORAGE_URL) input.storage = { url: env.LIAISON_STORAGE_URL };
  return input;
}
