/**
 * Zero-config: no file, providers from the usual environment variables, the
 * mock provider always there (DESIGN.md §2). Which variables configure which
 * provider is each provider's own knowledge (its folder's meta.ts).
 */
import { FALLBACK_PROVIDER, providersFromEnv } from "../providers/registry.js";
import type { Env } from "./interpolate.js";
import type { ConfigInput } from "./schema.js";

export function zeroConfig(env: Env): ConfigInput {
  const providers = providersFromEnv(env);
  const input: ConfigInput = { providers };
  // A model name nothing else claims goes to the local Ollama, when there is one (DESIGN.md §2).
  if (Object.hasOwn(providers, FALLBACK_PROVIDER)) input.routing = { default_provider: FALLBACK_PROVIDER };
  if (env.LIAISON_ADMIN_KEY) input.admin_key = env.LIAISON_ADMIN_KEY;
  if (env.LIAISON_STORAGE_URL) input.storage = { url: env.LIAISON_STORAGE_URL };
  return input;
}
