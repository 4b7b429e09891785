/**
 * What the anthropic folder tells the rest of the gateway besides its
 * adapter: the environment that configures it (zero-config), which bare
 * model names are Claude's, and how tracing names Anthropic.
 */
import type { z } from "zod";
import type { Env, GenAiNames, PrefixRule } from "../types.js";
import type { anthropicConfigSchema } from "./config.js";

type Block = z.input<typeof anthropicConfigSchema>;

/** ANTHROPIC_API_KEY configures `anthropic`. */
export function anthropicFromEnv(env: Env): Record<string, Block> {
  return env.ANTHROPIC_API_KEY ? { anthropic: { type: "anthropic", api_key: env.ANTHROPIC_API_KEY } } : {};
}

export const ANTHROPIC_PREFIX_RULE: PrefixRule = [/^claude/, "anthropic"];

export const ANTHROPIC_GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  anthropic: { providerName: "anthropic", system: "anthropic" },
};
