/**
 * The configuration file's schema (DESIGN.md §2). Validated once at start-up;
 * typed objects flow down from here. Objects are strict so a misspelt key is
 * reported instead of silently ignored.
 */
import { z } from "zod";
import { OPENAI_PRESET_NAMES } from "../providers/openai/presets.js";
import { ollamaConfigSchema } from "../providers/ollama/config.js";
import { anthropicConfigSchema } from "../providers/anthropic/config.js";
import { geminiConfigSchema } from "../providers/gemini/config.js";
import { bedrockConfigSchema } from "../providers/bedrock/config.js";

import { ms, timeoutsSchema } from "./timeouts-schema.js";

export { timeoutsSchema };

const common = {
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeouts: timeoutsSchema.optional(),
  /** Upstream model names listed by GET /v1/models as `provider/model`. */
  models: z.array(z.string().min(1)).optional(),
};

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const openaiLike = z.strictObject({
  type: z.enum(OPENAI_PRESET_NAMES),
  base_url: url.optional(),
  ...common,
});

const azure = z.strictObject({
  type: z.literal("azure"),
  base_url: url,
  /** A dated version (e.g. "2024-10-21") uses deployment URLs; "v1" uses the /openai/v1 surface. */
  api_version: z.string().min(1).default("2024-10-21"),
  ...common,
});

const mock = z.strictObject({
  type: z.literal("mock"),
  /** Fixed reply for every model except `echo`. */
  text: z.string().optional(),
  /** Delay before the first byte. */
  latency_ms: z.number().int().min(0).default(0),
  /** Characters per stream chunk. */
  chunk_size: z.number().int().positive().default(8),
  chunk_delay_ms: z.number().int().min(0).default(0),
  embedding_dimensions: z.number().int().positive().max(8192).default(16),
  models: z.array(z.string().min(1)).optional(),
});

export const providerSchema = z.discriminatedUnion("type", [openaiLike, azure, mock, anthropicConfigSchema, geminiConfigSchema, ollamaConfigSchema, bedrockConfigSchema]);

export const targetSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  weight: z.number().positive().default(1),
});

export const modelSchema = z.strictObject({
  targets: z.array(targetSchema).min(1),
  strategy: z.enum(["weighted", "round-robin"]).default("weighted"),
});

export const configSchema = z.strictObject({
  server: z.strictObject({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(4000),
    /** Largest accepted request body. */
    body_limit_mb: z.number().positive().max(1024).default(20),
    /** How long SIGTERM waits for in-flight requests. */
    shutdown_timeout_ms: ms.default(10_000),
  }).prefault({}),
  admin_key: z.string().min(1).optional(),
  storage: z.strictObject({
    url: z.string().regex(/^(sqlite|postgres|postgresql|memory):/, "must start with sqlite:, postgres:, postgresql: or memory:").default("sqlite://./liaison.db"),
  }).prefault({}),
  redis: z.strictObject({ url: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL") }).optional(),
  logging: z.strictObject({
    level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Keep request and response bodies in the log rows. */
    bodies: z.boolean().default(false),
    /** Turn the request log off entirely. */
    requests: z.boolean().default(true),
    queue_size: z.number().int().positive().default(10_000),
    batch_size: z.number().int().positive().max(5_000).default(500),
    flush_interval_ms: ms.default(200),
  }).prefault({}),
  timeouts: timeoutsSchema.prefault({}),
  providers: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, "provider names may use letters, digits, _ . -"), providerSchema).default({}),
  models: z.record(z.string().min(1), modelSchema).default({}),
  /** Other names for a model: `claude-sonnet: anthropic/claude-sonnet-4-5`, or a configured model name. */
  aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
