/**
 * Ollama through its native API: `/api/chat` (chat, tools, images, JSON
 * mode, thinking), `/api/generate` (legacy completions) and `/api/embed`.
 * Ollama streams unless told `stream: false`, so every call says which it
 * wants.
 */
import type {
  ChatChunk, ChatRequest, ChatResponse, CompletionChunk, CompletionRequest,
  CompletionResponse, EmbeddingRequest, EmbeddingResponse,
} from "../../core/types.js";
import { UpstreamClient, readJson, type UpstreamResponse } from "../_shared/http.js";
import { postJson } from "../_shared/post-json.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../types.js";
import {
  CompletionStreamTranslator, fromOllamaGenerateResponse, parseGenerateResponse, toOllamaGenerateRequest,
} from "./completions.js";
import { DEFAULT_OLLAMA_BASE_URL, type OllamaConfig } from "./config.js";
import { fromOllamaEmbedResponse, toOllamaEmbedRequest } from "./embeddings.js";
import { answeredWithError, ollamaStatusError, streamErrorText } from "./errors.js";
import { forcedTool, toOllamaChatRequest, type OllamaDefaults } from "./request.js";
import { fromOllamaChatResponse, parseChatResponse, parseWire } from "./response.js";
import { ChatStreamTranslator, ollamaStream } from "./stream.js";
import { ollamaEmbedResponseSchema } from "./wire.js";

type Endpoint = "chat" | "generate" | "embed";

/** The server root: ollama.com documents its base URL with `/api`, a local server without. */
export function ollamaRoot(baseUrl: string | undefined): string {
  return (baseUrl ?? DEFAULT_OLLAMA_BASE_URL).replace(/\/+$/, "").replace(/\/api$/, "");
}

function includeUsage(request: Record<string, unknown>): boolean {
  const options = request.stream_options;
  return typeof options === "object" && options !== null && (options as { include_usage?: unknown }).include_usage === true;
}

export class OllamaAdapter implements ProviderAdapter {
  readonly type = "ollama";
  readonly name: string;
  readonly capabilities: Capabilities = { chat: true, completions: true, embeddings: true, vision: true, tools: true };
  readonly #root: string;
  readonly #models: string[];
  readonly #defaults: OllamaDefaults;
  readonly #client: UpstreamClient;
  readonly #headers: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;

  constructor(name: string, config: OllamaConfig, timeouts: Timeouts) {
    this.name = name;
    this.#root = ollamaRoot(config.base_url);
    this.#models = config.models ?? [];
    this.#defaults = { keepAlive: config.keep_alive, options: config.options };
    this.#client = new UpstreamClient(name, { connectTimeoutMs: timeouts.connectMs });
    const auth: Record<string, string> = config.api_key ? { authorization: `Bearer ${config.api_key}` } : {};
    this.#headers = { "content-type": "application/json", accept: "application/json", ...auth, ...config.headers };
    this.#streamHeaders = { ...this.#headers, accept: "application/x-ndjson" };
  }

  models(): string[] {
    return this.#models;
  }

  async chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    const body = await this.#json("chat", toOllamaChatRequest(request, this.#defaults, false), ctx);
    return fromOllamaChatResponse(parseChatResponse(body, this.name), request.model, forcedTool(request)?.name);
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const res = await this.#send("chat", toOllamaChatRequest(request, this.#defaults, true), ctx);
    return ollamaStream(res, ctx, this.name, new ChatStreamTranslator(this.name, request.model, includeUsage(request), forcedTool(request)?.name));
  }

  async completions(request: CompletionRequest, ctx: CallContext): Promise<CompletionResponse> {
    const body = await this.#json("generate", toOllamaGenerateRequest(request, this.#defaults, false), ctx);
    return fromOllamaGenerateResponse(parseGenerateResponse(body, this.name), request);
  }

  async completionsStream(request: CompletionRequest, ctx: CallContext): Promise<AsyncIterable<CompletionChunk>> {
    const res = await this.#send("generate", toOllamaGenerateRequest(request, this.#defaults, true), ctx);
    return ollamaStream(res, ctx, this.name, new CompletionStreamTranslator(this.name, request, includeUsage(request)));
  }

  async embed(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResponse> {
    const body = await this.#json("embed", toOllamaEmbedRequest(request, this.#defaults), ctx);
    return fromOllamaEmbedResponse(parseWire(ollamaEmbedResponseSchema, body, this.name, "an embed response"), request);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #json(endpoint: Endpoint, wire: object, ctx: CallContext): Promise<unknown> {
    const res = await this.#send(endpoint, wire, ctx);
    const body = await readJson(res, ctx, this.name);
    // A 200 carrying Ollama's error object would otherwise read as an empty answer.
    const error = streamErrorText(body);
    if (error !== undefined) throw answeredWithError(this.name, error);
    return body;
  }

  /** Sends the wire body; a non-2xx answer becomes a GatewayError before any chunk is read. */
  #send(endpoint: Endpoint, wire: { stream?: boolean }, ctx: CallContext): Promise<UpstreamResponse> {
    return postJson(this.#client, {
      url: `${this.#root}/api/${endpoint}`,
      headers: wire.stream ? this.#streamHeaders : this.#headers,
      body: JSON.stringify(wire),
      ctx,
    }, ollamaStatusError);
  }
}

export function createOllamaAdapter(name: string, config: OllamaConfig, timeouts: Timeouts): ProviderAdapter {
  return new OllamaAdapter(name, config, timeouts);
}
