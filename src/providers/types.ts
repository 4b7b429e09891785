/**
 * The provider contract: a few typed functions and nothing else. Adapters take
 * canonical (OpenAI-shaped) requests whose `model` is already the upstream
 * model name, and return canonical responses or typed stream chunks.
 */
import type { ClientLink } from "../core/client-link.js";
import type {
  ChatChunk, ChatRequest, ChatResponse, CompletionChunk, CompletionRequest,
  CompletionResponse, EmbeddingRequest, EmbeddingResponse,
} from "../core/types.js";

export interface Timeouts {
  /** TCP/TLS connect. */
  connectMs: number;
  /** Request sent → response headers (first byte). */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
  /** The whole call, headers and body. */
  totalMs: number;
}

export interface CallContext {
  /** Aborted when the client goes away or the total timeout fires. */
  signal: AbortSignal;
  /**
   * The same event as a callback list, when the engine made the context:
   * cheaper than the signal (which is then only created if read).
   */
  link?: ClientLink;
  timeouts: Timeouts;
  requestId: string;
  /** Extra headers for the upstream request (e.g. traceparent); every adapter sends them. */
  headers?: Record<string, string>;
  /**
   * Client headers meant for one wire protocol's upstreams, keyed by the
   * adapter `type` that may send them (`anthropic-beta` under "anthropic"):
   * an adapter sends only its own entry, unlike `headers`.
   */
  providerHeaders?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface Capabilities {
  chat: boolean;
  completions: boolean;
  embeddings: boolean;
  /** Image inputs (image_url parts). Absent = true: the upstream decides. */
  vision?: boolean;
  /** Tool definitions and tool calls. Absent = true. */
  tools?: boolean;
}

export interface ProviderAdapter {
  /** The name this provider was given in the config (e.g. "groq"). */
  readonly name: string;
  /** The wire protocol (e.g. "openai", "azure", "mock"). */
  readonly type: string;
  readonly capabilities: Capabilities;

  chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse>;
  /**
   * Resolves once the upstream has accepted the request (status and headers
   * read), so a refusal is still an ordinary error the caller can map to an
   * HTTP status; the chunks then flow through the iterable.
   */
  chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>>;
  completions?(request: CompletionRequest, ctx: CallContext): Promise<CompletionResponse>;
  completionsStream?(request: CompletionRequest, ctx: CallContext): Promise<AsyncIterable<CompletionChunk>>;
  embed?(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResponse>;
  /**
   * The request's input tokens as the upstream counts them, for providers
   * with a counting endpoint (Anthropic's /v1/messages/count_tokens); the
   * gateway's tokenizer counts for the others.
   */
  countTokens?(request: ChatRequest, ctx: CallContext): Promise<number>;
  /**
   * Model-specific limits the static capabilities cannot express (e.g. a
   * Bedrock model family without image input): a reason when this request
   * cannot be served by `request.model`, checked before anything is sent.
   */
  unsupported?(request: ChatRequest): string | undefined;
  /** Models this provider is known to serve, for GET /v1/models (optional). */
  models?(): string[];
  /**
   * Credentials the adapter sends upstream that its config block does not
   * hold (read from the environment): scrubbed from upstream error text.
   */
  readonly secrets?: readonly string[];
  close?(): Promise<void>;
}

/*
 * What a provider folder tells the rest of the gateway besides its adapter
 * (each folder's meta.ts; the registry assembles the lists).
 */

/** Environment variables, as zero-config reads them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Zero-config routing: a bare model name matching the pattern goes to the provider of that name. */
export type PrefixRule = readonly [pattern: RegExp, provider: string];

/**
 * How the OpenTelemetry GenAI conventions name a provider type:
 * `gen_ai.provider.name`, and the older `gen_ai.system` (spelt differently for some).
 */
export interface GenAiNames {
  providerName: string;
  system: string;
}
