/**
 * What the ollama folder tells the rest of the gateway besides its adapter:
 * the environment that configures it (zero-config), and that it is where a
 * bare model name no other provider claims goes (a local server serves
 * whatever it has pulled, under any name).
 */
import type { z } from "zod";
import type { Env } from "../types.js";
import type { ollamaConfigSchema } from "./config.js";

type Block = z.input<typeof ollamaConfigSchema>;

/** OLLAMA_BASE_URL configures `ollama`. */
export function ollamaFromEnv(env: Env): Record<string, Block> {
  return env.OLLAMA_BASE_URL ? { ollama: { type: "ollama", base_url: env.OLLAMA_BASE_URL } } : {};
}

/** The provider zero-config routes a bare model name to when no prefix rule matched. */
export const OLLAMA_FALLBACK_PROVIDER = "ollama";
