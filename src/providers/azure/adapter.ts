/**
 * Azure OpenAI: the OpenAI wire format behind deployment URLs and an
 * `api-key` header. A dated `api_version` uses
 * `/openai/deployments/{deployment}/...?api-version=`; `api_version: v1` uses
 * the newer `/openai/v1/...` surface where the model travels in the body.
 * The target's `model` is the deployment name.
 */
import { OpenAICompatibleAdapter } from "../openai/adapter.js";

export interface AzureOptions {
  name: string;
  baseUrl: string;
  apiKey?: string;
  apiVersion: string;
  headers?: Record<string, string>;
  connectTimeoutMs: number;
  models?: string[];
}

export function createAzureAdapter(o: AzureOptions): OpenAICompatibleAdapter {
  const base = o.baseUrl.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
  const v1 = o.apiVersion === "v1";
  const query = `?api-version=${encodeURIComponent(o.apiVersion)}`;
  return new OpenAICompatibleAdapter({
    name: o.name,
    type: "azure",
    headers: { ...(o.apiKey ? { "api-key": o.apiKey } : {}), ...o.headers },
    url: v1
      ? (endpoint) => `${base}/openai/v1/${endpoint}`
      : (endpoint, model) => `${base}/openai/deployments/${encodeURIComponent(model)}/${endpoint}${query}`,
    connectTimeoutMs: o.connectTimeoutMs,
    models: o.models,
  });
}
