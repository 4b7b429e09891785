/**
 * The `type: gemini` provider block: Google's Generative Language API
 * (generativelanguage.googleapis.com), spoken natively rather than through
 * its OpenAI-compatible surface, so safety verdicts, thinking tokens and
 * Google's error details are not lost in a second translation.
 */
import { z } from "zod";
import { timeoutsSchema } from "../_shared/timeouts-schema.js";

export const GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

/** One SafetySetting (safety.proto): both fields are enum names, e.g. HARM_CATEGORY_HATE_SPEECH / BLOCK_ONLY_HIGH. */
const safetySettingSchema = z.strictObject({
  category: z.string().regex(/^HARM_CATEGORY_[A-Z_]+$/, "must be a HarmCategory name such as HARM_CATEGORY_HATE_SPEECH"),
  threshold: z.string().regex(/^[A-Z_]+$/, "must be a HarmBlockThreshold name such as BLOCK_ONLY_HIGH"),
});

export const geminiConfigSchema = z.strictObject({
  type: z.literal("gemini"),
  base_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /**
   * The API surface. v1beta has everything the gateway maps (system
   * instructions, tools, JSON mode); v1 is the stable subset (see request.ts
   * for what is refused there).
   */
  api_version: z.enum(["v1beta", "v1"]).default("v1beta"),
  /** Sent as `x-goog-api-key`, never in the query string, so it cannot end up in access logs. */
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeouts: timeoutsSchema.optional(),
  models: z.array(z.string().min(1)).optional(),
  /** Passed through as the request's `safetySettings`. */
  safety_settings: z.array(safetySettingSchema).optional(),
  /**
   * Ask thinking models for thought summaries (`thinkingConfig.includeThoughts`);
   * they come back as `reasoning_content`. Off by default: models without
   * thinking reject the setting.
   */
  include_thoughts: z.boolean().optional(),
});

export type GeminiConfig = z.infer<typeof geminiConfigSchema>;
