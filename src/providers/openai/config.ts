/**
 * The provider block of OpenAI and of every OpenAI-compatible service known
 * by name (`type: groq` is `type: openai` with groq's base URL, presets.ts).
 * Azure's block (azure/config.ts) shares the connection fields.
 */
import { z } from "zod";
import { timeoutsSchema } from "../_shared/timeouts-schema.js";
import { OPENAI_PRESET_NAMES } from "./presets.js";

/** The fields every OpenAI-wire block has, after `type` and its URL. */
export const openAIConnectionFields = {
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeouts: timeoutsSchema.optional(),
  /** Upstream model names listed by GET /v1/models as `provider/model`. */
  models: z.array(z.string().min(1)).optional(),
};

export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const openAICompatibleConfigSchema = z.strictObject({
  type: z.enum(OPENAI_PRESET_NAMES),
  /** Defaults to the preset's URL. */
  base_url: httpUrl.optional(),
  ...openAIConnectionFields,
});

export type OpenAICompatibleConfig = z.infer<typeof openAICompatibleConfigSchema>;
