/**
 * Ollama's native wire format (docs: ../shared/specs/ollama/api.md and
 * openapi.yaml). Requests are typed interfaces we build; responses are zod
 * schemas we check, deliberately partial: only the fields the gateway reads
 * (durations, `context`, `images: null`, ... are stripped).
 */
import { z } from "zod";

// ---- requests (what we send) ----

/** `arguments` is a JSON object on Ollama's wire, not a JSON string as in OpenAI's. */
export interface OllamaToolCall {
  function: { name: string; arguments: Record<string, unknown> };
}

export interface OllamaMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** Bare base64 (no `data:` prefix); Ollama's native API takes no image URLs. */
  images?: string[];
  /** An earlier assistant turn's reasoning, sent back as Ollama's docs ask for multi-turn thinking. */
  thinking?: string;
  tool_calls?: OllamaToolCall[];
  /** The function whose result a `tool` message carries. */
  tool_name?: string;
}

export interface OllamaTool {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export type OllamaThink = boolean | "low" | "medium" | "high" | "max";
export type OllamaKeepAlive = string | number;

export interface OllamaChatRequest {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  tools?: OllamaTool[];
  /** "json" (JSON mode) or a JSON schema (structured outputs). */
  format?: "json" | Record<string, unknown>;
  options?: Record<string, unknown>;
  keep_alive?: OllamaKeepAlive;
  think?: OllamaThink;
  logprobs?: boolean;
  top_logprobs?: number;
}

export interface OllamaGenerateRequest {
  model: string;
  prompt: string;
  suffix?: string;
  stream: boolean;
  raw?: boolean;
  format?: "json" | Record<string, unknown>;
  options?: Record<string, unknown>;
  keep_alive?: OllamaKeepAlive;
  logprobs?: boolean;
  top_logprobs?: number;
}

export interface OllamaEmbedRequest {
  model: string;
  input: string | string[];
  truncate?: boolean;
  dimensions?: number;
  options?: Record<string, unknown>;
  keep_alive?: OllamaKeepAlive;
}

// ---- responses (what we read) ----

const tokenLogprob = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number()).nullish(),
});

const logprob = tokenLogprob.extend({ top_logprobs: z.array(tokenLogprob).nullish() });
export type OllamaLogprob = z.infer<typeof logprob>;

const toolCall = z.object({
  /** Newer servers name their calls; older ones do not, and the gateway makes an id up. */
  id: z.string().nullish(),
  function: z.object({
    name: z.string(),
    // An object per the docs; a string is tolerated rather than failing a whole answer.
    // Checked, not rebuilt: z.record() would copy it and drop a "__proto__" key, and the
    // arguments are only serialized again (JSON.parse made them own data properties).
    arguments: z.union([z.custom<Record<string, unknown>>(isPlainObject, "expected a JSON object"), z.string()]).nullish(),
  }),
});
export type OllamaWireToolCall = z.infer<typeof toolCall>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const message = z.object({
  content: z.string().nullish(),
  thinking: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
});

/** The counts every final object carries; either may be absent (see usage in response.ts). */
const counts = {
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
};

/** `POST /api/chat` with `stream: false`, and each NDJSON line of a chat stream. */
export const ollamaChatResponseSchema = z.object({
  model: z.string().nullish(),
  created_at: z.string().nullish(),
  message: message.nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  logprobs: z.array(logprob).nullish(),
  ...counts,
});
export type OllamaChatResponse = z.infer<typeof ollamaChatResponseSchema>;

/** `POST /api/generate`, whole or one NDJSON line. */
export const ollamaGenerateResponseSchema = z.object({
  model: z.string().nullish(),
  created_at: z.string().nullish(),
  response: z.string().nullish(),
  done: z.boolean().nullish(),
  done_reason: z.string().nullish(),
  logprobs: z.array(logprob).nullish(),
  ...counts,
});
export type OllamaGenerateResponse = z.infer<typeof ollamaGenerateResponseSchema>;

/** `POST /api/embed`. */
export const ollamaEmbedResponseSchema = z.object({
  model: z.string().nullish(),
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().nullish(),
});
export type OllamaEmbedResponse = z.infer<typeof ollamaEmbedResponseSchema>;
