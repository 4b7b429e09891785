/**
 * Anthropic Messages API shapes (POST /v1/messages), typed from the official
 * SDK's `resources/messages/messages.ts`. Deliberately partial: only what the
 * gateway writes or reads. Both directions use them: the adapter writes
 * requests and reads messages and stream events; the inbound endpoint reads
 * requests and writes messages and stream events.
 */

export interface CacheControl { type: "ephemeral"; ttl?: string }

export interface TextBlockParam { type: "text"; text: string; cache_control?: CacheControl }
export interface ImageBlockParam {
  type: "image";
  source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
  cache_control?: CacheControl;
}
export interface DocumentBlockParam {
  type: "document";
  source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
  title?: string;
  cache_control?: CacheControl;
}
export interface ToolUseBlockParam { type: "tool_use"; id: string; name: string; input: unknown; cache_control?: CacheControl }
export interface ToolResultBlockParam {
  type: "tool_result";
  tool_use_id: string;
  content?: string | (TextBlockParam | ImageBlockParam | DocumentBlockParam)[];
  is_error?: boolean;
  cache_control?: CacheControl;
}
export interface ThinkingBlockParam { type: "thinking"; thinking: string; signature: string }
export interface RedactedThinkingBlockParam { type: "redacted_thinking"; data: string }

export type ContentBlockParam =
  | TextBlockParam | ImageBlockParam | DocumentBlockParam | ToolUseBlockParam | ToolResultBlockParam
  | ThinkingBlockParam | RedactedThinkingBlockParam;

export interface MessageParam { role: "user" | "assistant"; content: string | ContentBlockParam[] }

export interface ToolParam { name: string; description?: string; input_schema: Record<string, unknown>; cache_control?: CacheControl }

export type ToolChoiceParam =
  | { type: "auto"; disable_parallel_tool_use?: boolean }
  | { type: "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

export type ThinkingParam =
  | { type: "enabled"; budget_tokens: number; display?: string }
  | { type: "disabled" }
  | { type: "adaptive"; display?: string };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlockParam[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stream?: boolean;
  tools?: ToolParam[];
  tool_choice?: ToolChoiceParam;
  metadata?: { user_id?: string };
  thinking?: ThinkingParam;
  output_config?: { format?: { type: "json_schema"; schema: Record<string, unknown> } };
}

export type StopReason =
  | "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal" | "model_context_window_exceeded";

/** Response content blocks the gateway understands; others are skipped. */
export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [extra: string]: unknown;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type ContentBlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string };

export interface AnthropicErrorBody { type: "error"; error: { type: string; message: string }; request_id?: string | null }

/** The stream events, each sent as `event: <type>` + `data: <json>`. */
export type AnthropicStreamEvent =
  | { type: "message_start"; message: AnthropicMessage }
  | { type: "content_block_start"; index: number; content_block: ContentBlock }
  | { type: "content_block_delta"; index: number; delta: ContentBlockDelta }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason: StopReason | null; stop_sequence: string | null }; usage: Partial<AnthropicUsage> & { output_tokens: number } }
  | { type: "message_stop" }
  | { type: "ping" }
  | AnthropicErrorBody;
