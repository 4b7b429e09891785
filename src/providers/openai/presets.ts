/**
 * OpenAI-compatible services known by name: `type: groq` is `type: openai`
 * with groq's base URL and API-key variable filled in.
 */
export interface OpenAIPreset {
  baseUrl: string;
  /** The environment variable zero-config reads the key from (none for local servers). */
  apiKeyEnv?: string;
}

export const OPENAI_PRESET_NAMES = ["openai", "groq", "together", "mistral", "deepseek", "openrouter", "fireworks", "vllm", "lmstudio"] as const;
export type OpenAIPresetName = (typeof OPENAI_PRESET_NAMES)[number];

export const OPENAI_PRESETS: Record<OpenAIPresetName, OpenAIPreset> = {
  openai: { baseUrl: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY" },
  groq: { baseUrl: "https://api.groq.com/openai/v1", apiKeyEnv: "GROQ_API_KEY" },
  together: { baseUrl: "https://api.together.xyz/v1", apiKeyEnv: "TOGETHER_API_KEY" },
  mistral: { baseUrl: "https://api.mistral.ai/v1", apiKeyEnv: "MISTRAL_API_KEY" },
  deepseek: { baseUrl: "https://api.deepseek.com/v1", apiKeyEnv: "DEEPSEEK_API_KEY" },
  openrouter: { baseUrl: "https://openrouter.ai/api/v1", apiKeyEnv: "OPENROUTER_API_KEY" },
  fireworks: { baseUrl: "https://api.fireworks.ai/inference/v1", apiKeyEnv: "FIREWORKS_API_KEY" },
  vllm: { baseUrl: "http://127.0.0.1:8000/v1" },
  lmstudio: { baseUrl: "http://127.0.0.1:1234/v1" },
};
