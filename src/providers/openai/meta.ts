/**
 * What the openai folder tells the rest of the gateway besides its adapter:
 * which presets the environment configures (zero-config), which bare model
 * names are OpenAI's, and how tracing names the OpenAI-wire services.
 */
import type { z } from "zod";
import type { Env, GenAiNames, PrefixRule } from "../types.js";
import type { openAICompatibleConfigSchema } from "./config.js";
import { OPENAI_PRESETS, type OpenAIPreset, type OpenAIPresetName } from "./presets.js";

type Block = z.input<typeof openAICompatibleConfigSchema>;

/** One provider per preset whose API key is set, named after the preset; OPENAI_BASE_URL points `openai` elsewhere. */
export function openAIFromEnv(env: Env): Record<string, Block> {
  const out: Record<string, Block> = {};
  for (const [name, preset] of Object.entries(OPENAI_PRESETS) as [OpenAIPresetName, OpenAIPreset][]) {
    const key = preset.apiKeyEnv ? env[preset.apiKeyEnv] : undefined;
    if (key) out[name] = { type: name, api_key: key, ...(name === "openai" && env.OPENAI_BASE_URL ? { base_url: env.OPENAI_BASE_URL } : {}) };
  }
  return out;
}

/** OpenAI's model families, chat and legacy completions and embeddings. */
export const OPENAI_PREFIX_RULE: PrefixRule = [/^(gpt-|chatgpt-|o\d|text-embedding-|davinci|babbage)/, "openai"];

/** The presets the GenAI conventions list by name (the others are named by their type). */
export const OPENAI_GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  openai: { providerName: "openai", system: "openai" },
  groq: { providerName: "groq", system: "groq" },
  mistral: { providerName: "mistral_ai", system: "mistral_ai" },
  deepseek: { providerName: "deepseek", system: "deepseek" },
};
