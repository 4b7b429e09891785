/**
 * Azure OpenAI: the OpenAI wire format (the OpenAI-compatible base, its
 * errors included: content-filter refusals arrive as OpenAI-shaped 400s)
 * behind deployment URLs and an `api-key` header (request.ts).
 */
import { OpenAICompatibleAdapter } from "../openai/adapter.js";
import type { Timeouts } from "../types.js";
import type { AzureConfig } from "./config.js";
import { azureHeaders, azureUrl } from "./request.js";

export function createAzureAdapter(name: string, config: AzureConfig, timeouts: Timeouts): OpenAICompatibleAdapter {
  return new OpenAICompatibleAdapter({
    name,
    type: "azure",
    headers: azureHeaders(config.api_key, config.headers),
    url: azureUrl(config.base_url, config.api_version),
    connectTimeoutMs: timeouts.connectMs,
    models: config.models,
  });
}
