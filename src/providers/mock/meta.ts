/**
 * What the mock folder tells the rest of the gateway besides its adapter:
 * that it is always configured (so `mock/echo` works in every setup, with a
 * config file or without), and how tracing names it.
 */
import type { z } from "zod";
import type { GenAiNames } from "../types.js";
import type { mockConfigSchema } from "./config.js";

/** Added to every configuration that does not define a provider of this name itself. */
export const MOCK_ALWAYS_CONFIGURED: Readonly<Record<string, z.input<typeof mockConfigSchema>>> = { mock: { type: "mock" } };

/** Not a GenAI system the conventions know: named under the gateway's own namespace. */
export const MOCK_GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  mock: { providerName: "liaison.mock", system: "liaison.mock" },
};
