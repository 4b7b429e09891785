/**
 * OpenAI's response shapes as the fakes emit them, field order included
 * (objects are serialized in insertion order, and the order below is the one
 * api.openai.com sends). Source: openai-openapi.yaml, schemas
 * CreateChatCompletionResponse, CreateChatCompletionStreamResponse,
 * CreateCompletionResponse, CreateEmbeddingResponse, ListModelsResponse.
 * Optional provider extras (Azure's filter results, OpenAI's obfuscation)
 * are declared here so dialects can add them without casts.
 */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details?: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** Azure's per-category verdicts; empty on chunks that carry no text. */
export type ContentFilterResults = Record<string, { filtered: boolean; severity?: string; detected?: boolean }>;

export interface PromptFilterResult {
  prompt_index: number;
  content_filter_results: ContentFilterResults;
}

export interface ChatChoice {
  index: number;
  message: {
    role: "assistant";
    content: string | null;
    tool_calls?: ToolCall[];
    refusal: null;
    annotations: [];
  };
  logprobs: null;
  finish_reason: FinishReason;
  content_filter_results?: ContentFilterResults;
}

export type FinishReason = "stop" | "length" | "tool_calls";

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatChoice[];
  usage: Usage;
  service_tier?: string;
  system_fingerprint?: string;
  prompt_filter_results?: PromptFilterResult[];
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

export interface ChatDelta {
  role?: "assistant";
  content?: string | null;
  tool_calls?: ToolCallDelta[];
  refusal?: null;
}

export interface ChatChunkChoice {
  index: number;
  delta: ChatDelta;
  logprobs: null;
  finish_reason: FinishReason | null;
  content_filter_results?: ContentFilterResults;
}

export interface ChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  service_tier?: string;
  system_fingerprint?: string;
  choices: ChatChunkChoice[];
  /** Present (null, then the totals on the last chunk) only with stream_options.include_usage. */
  usage?: Usage | null;
  obfuscation?: string;
}

export interface TextChoice {
  text: string;
  index: number;
  logprobs: null;
  finish_reason: FinishReason | null;
  content_filter_results?: ContentFilterResults;
}

/** The legacy completion object; streamed chunks have the same shape. */
export interface TextCompletion {
  id: string;
  object: "text_completion";
  created: number;
  model: string;
  choices: TextChoice[];
  usage?: Usage | null;
  prompt_filter_results?: PromptFilterResult[];
}

export interface EmbeddingList {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface ModelObject {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}
