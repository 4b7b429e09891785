/**
 * What the bedrock folder tells the rest of the gateway besides its adapter:
 * the environment that configures it (zero-config), and how tracing names it.
 */
import type { z } from "zod";
import type { Env, GenAiNames } from "../types.js";
import type { bedrockConfigSchema } from "./config.js";

type Block = z.input<typeof bedrockConfigSchema>;

/**
 * A region and AWS credentials (a key pair, or a Bedrock API key) configure
 * `bedrock`; the adapter reads the credentials from the same AWS_* variables.
 */
export function bedrockFromEnv(env: Env): Record<string, Block> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region || !((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_BEARER_TOKEN_BEDROCK)) return {};
  return { bedrock: { type: "bedrock", region } };
}

export const BEDROCK_GEN_AI_NAMES: Readonly<Record<string, GenAiNames>> = {
  bedrock: { providerName: "aws.bedrock", system: "aws.bedrock" },
};
