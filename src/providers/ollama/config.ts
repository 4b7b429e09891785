/**
 * The `type: ollama` provider block. Ollama's native API (`/api/chat`,
 * `/api/embed`, `/api/generate`) rather than its OpenAI-compatible `/v1`
 * surface: the native API is the one every Ollama version has, and it is the
 * only one that takes `keep_alive`, `options` (num_ctx, ...) and `think`.
 */
import { z } from "zod";
import { timeoutsSchema } from "../_shared/timeouts-schema.js";

/** Where a local Ollama listens unless told otherwise. */
export const DEFAULT_OLLAMA_BASE_URL = "http://127.0.0.1:11434";

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

export const ollamaConfigSchema = z.strictObject({
  type: z.literal("ollama"),
  /** The server root (`http://127.0.0.1:11434`); a trailing `/api` (as ollama.com documents it) is accepted too. */
  base_url: url.optional(),
  /** Sent as `Authorization: Bearer` (hosted Ollama at ollama.com); a local server needs none. */
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeouts: timeoutsSchema.optional(),
  /** Upstream model names listed by GET /v1/models as `provider/model`. */
  models: z.array(z.string().min(1)).optional(),
  /** How long Ollama keeps a model loaded after a call: a duration ("5m", "1h"), seconds, or 0 to unload; a request's own `keep_alive` wins. */
  keep_alive: z.union([z.string().min(1), z.number()]).optional(),
  /**
   * Default model options (num_ctx, temperature, ...; Ollama's Modelfile
   * parameters) sent with every call. Options derived from the request
   * (temperature, max_tokens → num_predict, ...) override them key by key.
   */
  options: z.record(z.string(), z.unknown()).optional(),
});

export type OllamaConfig = z.infer<typeof ollamaConfigSchema>;
