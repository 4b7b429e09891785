/**
 * OpenAI Responses API shapes (`POST /v1/responses`), typed from OpenAI's
 * OpenAPI document (`Response`, `OutputMessage`, `FunctionToolCall`,
 * `ResponseUsage`, `ResponseStreamEvent`, `ResponseItemList`). Deliberately
 * partial: only what the gateway writes. Items keep an index signature, so
 * an item stored as a client sent it comes back with every field it had.
 */

export interface OutputText { type: "output_text"; text: string; annotations: unknown[]; logprobs: unknown[] }
export interface Refusal { type: "refusal"; refusal: string }
export type OutputContent = OutputText | Refusal;

export type ItemStatus = "in_progress" | "completed" | "incomplete";

export interface OutputMessageItem {
  id: string;
  type: "message";
  status: ItemStatus;
  role: "assistant";
  content: OutputContent[];
}

export interface FunctionCallItem {
  id: string;
  type: "function_call";
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}

export type OutputItem = OutputMessageItem | FunctionCallItem;

/**
 * Any item of a conversation as the gateway keeps it: an input item as the
 * client sent it (message, function_call, function_call_output, ...) or an
 * output item, always with an id.
 */
export interface StoredItem {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = "completed" | "failed" | "in_progress" | "incomplete";

export interface ResponseTextFormat {
  type: "text" | "json_object" | "json_schema";
  [field: string]: unknown;
}

export type ResponseToolChoice = "none" | "auto" | "required" | Record<string, unknown>;

export interface ResponseFunctionTool {
  type: "function";
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

/** The Response object, in the order OpenAI's reference lists its fields. */
export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number;
  text: { format: ResponseTextFormat };
  tool_choice: ResponseToolChoice;
  tools: ResponseFunctionTool[];
  top_p: number;
  truncation: "disabled" | "auto";
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}

/** Stream events (`ResponseStreamEvent`), without `sequence_number`: the writer numbers them. */
export type ResponseEvent =
  | { type: "response.created" | "response.in_progress" | "response.completed" | "response.incomplete" | "response.failed"; response: ResponseObject }
  | { type: "response.output_item.added" | "response.output_item.done"; output_index: number; item: OutputItem }
  | { type: "response.content_part.added" | "response.content_part.done"; item_id: string; output_index: number; content_index: number; part: OutputContent }
  | { type: "response.output_text.delta"; item_id: string; output_index: number; content_index: number; delta: string; logprobs: unknown[] }
  | { type: "response.output_text.done"; item_id: string; output_index: number; content_index: number; text: string; logprobs: unknown[] }
  | { type: "response.refusal.delta"; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: "response.refusal.done"; item_id: string; output_index: number; content_index: number; refusal: string }
  | { type: "response.function_call_arguments.delta"; item_id: string; output_index: number; delta: string }
  | { type: "response.function_call_arguments.done"; item_id: string; name: string; output_index: number; arguments: string };

export type NumberedEvent = ResponseEvent & { sequence_number: number };

/** `GET /v1/responses/{id}/input_items` (`ResponseItemList`). */
export interface ResponseItemList {
  object: "list";
  data: StoredItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}
