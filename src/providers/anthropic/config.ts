/**
 * The `type: anthropic` provider block. Anthropic's Messages API requires
 * `max_tokens` on every request while OpenAI clients usually omit it, so the
 * block can set the default the adapter fills in (otherwise a per-model one).
 */
import { z } from "zod";
import { timeoutsSchema } from "../_shared/timeouts-schema.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_DEFAULT_VERSION = "2023-06-01";

export const anthropicConfigSchema = z.strictObject({
  type: z.literal("anthropic"),
  /** Origin of the API, without `/v1` (the adapter appends `/v1/messages`). */
  base_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeouts: timeoutsSchema.optional(),
  models: z.array(z.string().min(1)).optional(),
  /** The `anthropic-version` header. */
  anthropic_version: z.string().min(1).optional(),
  /** `max_tokens` sent when the client sends none (default: per model family, see request.ts). */
  default_max_tokens: z.number().int().positive().optional(),
  /**
   * How `response_format: json_schema` is expressed: `tool` forces a tool whose
   * input schema is the requested schema (works on every model), `native` sends
   * `output_config.format` (structured outputs, newer models only).
   */
  structured_output: z.enum(["tool", "native"]).optional(),
});

export type AnthropicConfig = z.infer<typeof anthropicConfigSchema>;
