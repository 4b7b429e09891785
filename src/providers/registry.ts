/**
 * The only file that names concrete providers: config in, adapters out.
 */
import type { ProviderConfig, TimeoutsConfig } from "../config/schema.js";
import { MockAdapter } from "./mock/adapter.js";
import { OpenAICompatibleAdapter } from "./openai/adapter.js";
import { OPENAI_PRESETS } from "./openai/presets.js";
import type { ProviderAdapter, Timeouts } from "./types.js";

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
      return new MockAdapter({
        name,
        text: config.text,
        latencyMs: config.latency_ms,
        chunkSize: config.chunk_size,
        chunkDelayMs: config.chunk_delay_ms,
        embeddingDimensions: config.embedding_dimensions,
        models: config.models,
      });
    case "anthropic":
      return (await import("./anthropic/adapter.js")).createAnthropicAdapter(name, config, timeouts);
    case "gemini":
      return (await import("./gemini/adapter.js")).createGeminiAdapter(name, config, timeouts);
    case "bedrock":
      return (await import("./bedrock/adapter.js")).createBedrockAdapter(name, config, timeouts);
    case "ollama":
      return (await import("./ollama/adapter.js")).createOllamaAdapter(name, config, timeouts);
    case "azure":
      return (await import("./azure/adapter.js")).createAzureAdapter({
        name,
        baseUrl: config.base_url,
        apiKey: config.api_key,
        apiVersion: config.api_version,
        headers: config.headers,
        connectTimeoutMs: timeouts.connectMs,
        models: config.models,
      });
    default: {
      const base = (config.base_url ?? OPENAI_PRESETS[config.type].baseUrl).replace(/\/+$/, "");
      return new OpenAICompatibleAdapter({
        name,
        type: config.type,
        headers: { ...(config.api_key ? { authorization: `Bearer ${config.api_key}` } : {}), ...config.headers },
        url: (endpoint) => `${base}/${endpoint}`,
        connectTimeoutMs: timeouts.connectMs,
        models: config.models,
      });
    }
  }
}
