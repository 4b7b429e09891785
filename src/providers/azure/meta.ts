/**
 * What the azure folder tells the rest of the gateway besides its adapter:
 * the environment openai-node's AzureOpenAI client reads (zero-config), and
 * how tracing names Azure OpenAI.
 */
import type { z } from "zod";
import type { Env, GenAiNames } from "../types.js";
import type { azureConfigSchema } from "./config.js";

type Block = z.input<typeof azureConfigSchema>;

/** AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY configure `azure`; OPENAI_API_VERSION picks the version. */
export function azureFromEnv(env: Env): Record<string, Block> {
  if (!env.AZURE_OPENAI_API_KEY || !env.AZURE_OPENAI_ENDPOINT) return {};
  return {
    azure: {
      type: "azure",
      base_url: env.AZURE_OPENAI_ENDPOINT,
      api_key: env.AZURE_OPENAI_API_KEY,
      ...(env.OPENAI_API_VERSION ? { api_version: env.OPENAI_API_VERSION } : {}),
    },
  };
}

/** The conventions renamed az.ai.openai to azure.ai.openai; the old attribute keeps the old name. */
export const AZURE_GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  azure: { providerName: "azure.ai.openai", system: "az.ai.openai" },
};
