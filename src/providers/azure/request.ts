/**
 * Where an Azure OpenAI request goes and how it is signed. A dated
 * `api_version` uses `/openai/deployments/{deployment}/...?api-version=`;
 * `api_version: v1` uses the newer `/openai/v1/...` surface, where the
 * deployment travels in the body's `model`. Either way the target's model is
 * the deployment name, and the key goes in an `api-key` header.
 */
import type { OpenAIEndpoint } from "../openai/adapter.js";

/** The resource's endpoint, however it was written (with or without /openai or /openai/v1). */
function resourceRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
}

export function azureUrl(baseUrl: string, apiVersion: string): (endpoint: OpenAIEndpoint, deployment: string) => string {
  const base = resourceRoot(baseUrl);
  if (apiVersion === "v1") return (endpoint) => `${base}/openai/v1/${endpoint}`;
  const query = `?api-version=${encodeURIComponent(apiVersion)}`;
  return (endpoint, deployment) => `${base}/openai/deployments/${encodeURIComponent(deployment)}/${endpoint}${query}`;
}

export function azureHeaders(apiKey: string | undefined, headers: Record<string, string> | undefined): Record<string, string> {
  return { ...(apiKey ? { "api-key": apiKey } : {}), ...headers };
}
