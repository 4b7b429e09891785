/**
 * Canonical types: the OpenAI Chat Completions shape, as the engine sees it.
 *
 * Wire types are deliberately partial: the fields the gateway reads are typed,
 * everything else is carried through untouched (index signatures), so a
 * parameter we have never heard of still reaches an OpenAI-compatible upstream.
 */

export type Role = "system" | "developer" | "user" | "assistant" | "tool" | "function";

export interface TextPart { type: "text"; text: string }
export interface ImagePart { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } }
export interface InputAudioPart { type: "input_audio"; input_audio: { data: string; format: string } }
export interface FilePart { type: "file"; file: Record<string, unknown> }
export type ContentPart = TextPart | ImagePart | InputAudioPart | FilePart | { type: "refusal"; refusal: string };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [extra: string]: unknown;
}

export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  tools?: ToolDefinition[];
  tool_choice?: "none" | "auto" | "required" | { type: "function"; function: { name: string } };
  response_format?: { type: "text" | "json_object" | "json_schema"; json_schema?: Record<string, unknown> };
  user?: string;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  [extra: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
  [extra: string]: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface ChatChoice {
  index: number;
  message: ChatMessage & { role: "assistant" };
  finish_reason: FinishReason | null;
  logprobs?: unknown;
  [extra: string]: unknown;
}

export interface ChatResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  [extra: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

export interface ChunkChoice {
  index: number;
  delta: { role?: "assistant"; content?: string | null; tool_calls?: ToolCallDelta[]; refusal?: string | null; [k: string]: unknown };
  finish_reason: FinishReason | null;
  logprobs?: unknown;
  [extra: string]: unknown;
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  [extra: string]: unknown;
}

/** Legacy text completions (`POST /v1/completions`). */
export interface CompletionRequest {
  model: string;
  prompt: string | string[] | number[] | number[][];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  [extra: string]: unknown;
}

export interface CompletionResponse {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: { index: number; text: string; finish_reason: FinishReason | null; logprobs: unknown }[];
  usage?: Usage;
  [extra: string]: unknown;
}

export interface CompletionChunk {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: { index: number; text: string; finish_reason: FinishReason | null; logprobs?: unknown }[];
  usage?: Usage | null;
  [extra: string]: unknown;
}

export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: "float" | "base64";
  dimensions?: number;
  user?: string;
  [extra: string]: unknown;
}

export interface EmbeddingResponse {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  [extra: string]: unknown;
}

export interface ModelInfo {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/**
 * The upstream's own JSON text of a chunk that is forwarded unchanged. The
 * SSE writer sends it as-is instead of serializing the object again (the
 * largest per-chunk cost of a pass-through stream). Whoever changes a chunk
 * must build a new object, never mutate one that has an entry here.
 */
export const rawJson = new WeakMap<object, string>();
