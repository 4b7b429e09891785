/**
 * The `type: azure` provider block: an Azure OpenAI resource. The endpoint is
 * required (there is no default resource); the API version picks the URL
 * scheme (see request.ts).
 */
import { z } from "zod";
import { httpUrl, openAIConnectionFields } from "../openai/config.js";

/** The latest GA dated version of the data-plane API. */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

export const azureConfigSchema = z.strictObject({
  type: z.literal("azure"),
  base_url: httpUrl,
  /** A dated version (e.g. "2024-10-21") uses deployment URLs; "v1" uses the /openai/v1 surface. */
  api_version: z.string().min(1).default(AZURE_DEFAULT_API_VERSION),
  ...openAIConnectionFields,
});

export type AzureConfig = z.infer<typeof azureConfigSchema>;
