/**
 * What the gemini folder tells the rest of the gateway besides its adapter:
 * the environment that configures it (zero-config), which bare model names
 * are Gemini's, and how tracing names it.
 */
import type { z } from "zod";
import type { Env, GenAiNames, PrefixRule } from "../types.js";
import type { geminiConfigSchema } from "./config.js";

type Block = z.input<typeof geminiConfigSchema>;

/** GEMINI_API_KEY configures `gemini`. */
export function geminiFromEnv(env: Env): Record<string, Block> {
  return env.GEMINI_API_KEY ? { gemini: { type: "gemini", api_key: env.GEMINI_API_KEY } } : {};
}

/** Gemini's chat models and its embedding models. */
export const GEMINI_PREFIX_RULE: PrefixRule = [/^gemini|^text-embedding-004|^gemini-embedding/, "gemini"];

/** The conventions renamed gemini to gcp.gemini; the old attribute keeps the old name. */
export const GEMINI_GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  gemini: { providerName: "gcp.gemini", system: "gemini" },
};
