/**
 * The OpenAI-compatible base. OpenAI itself, every OpenAI-compatible server
 * (groq, together, vllm, ...) and Azure are configuration of this one class:
 * they differ only in how a URL is built and how the key is sent.
 */
import { GatewayError } from "../../core/errors.js";
import { rawJson } from "../../core/types.js";
import type {
  ChatChunk, ChatRequest, ChatResponse, CompletionChunk, CompletionRequest,
  CompletionResponse, EmbeddingRequest, EmbeddingResponse,
} from "../../core/types.js";
import { UpstreamClient, type UpstreamResponse } from "../_shared/http.js";
import { postJson } from "../_shared/post-json.js";
import { parseErrorBody } from "../_shared/upstream-error.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../types.js";
import type { OpenAICompatibleConfig } from "./config.js";
import { openAIStatusError } from "./errors.js";
import { OPENAI_PRESETS } from "./presets.js";
import { toOpenAIChatRequest } from "./request.js";
import { openAIStream } from "./stream.js";

export type OpenAIEndpoint = "chat/completions" | "completions" | "embeddings";

export interface OpenAICompatibleOptions {
  name: string;
  type: string;
  /** Static headers for every call (auth included). */
  headers: Record<string, string>;
  /** Builds the URL of one endpoint for one upstream model. */
  url(endpoint: OpenAIEndpoint, model: string): string;
  connectTimeoutMs: number;
  capabilities?: Partial<Capabilities>;
  models?: string[];
}

export class OpenAICompatibleAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type: string;
  readonly capabilities: Capabilities;
  readonly #options: OpenAICompatibleOptions;
  readonly #client: UpstreamClient;
  readonly #jsonHeaders: Record<string, string>;
  readonly #streamHeaders: Record<string, string>;

  constructor(options: OpenAICompatibleOptions) {
    this.name = options.name;
    this.type = options.type;
    this.capabilities = { chat: true, completions: true, embeddings: true, ...options.capabilities };
    this.#options = options;
    this.#client = new UpstreamClient(options.name, { connectTimeoutMs: options.connectTimeoutMs });
    this.#jsonHeaders = { "content-type": "application/json", accept: "application/json", ...options.headers };
    this.#streamHeaders = { ...this.#jsonHeaders, accept: "text/event-stream" };
  }

  models(): string[] {
    return this.#options.models ?? [];
  }

  chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    return this.#json<ChatResponse>("chat/completions", toOpenAIChatRequest(request), ctx);
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const res = await this.#stream("chat/completions", toOpenAIChatRequest(request), ctx);
    return openAIStream<ChatChunk>(res, ctx, this.name);
  }

  completions(request: CompletionRequest, ctx: CallContext): Promise<CompletionResponse> {
    return this.#json<CompletionResponse>("completions", request, ctx);
  }

  async completionsStream(request: CompletionRequest, ctx: CallContext): Promise<AsyncIterable<CompletionChunk>> {
    const res = await this.#stream("completions", request, ctx);
    return openAIStream<CompletionChunk>(res, ctx, this.name);
  }

  embed(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResponse> {
    return this.#json<EmbeddingResponse>("embeddings", request, ctx);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  /**
   * A JSON call reads the whole answer before looking at its status (not
   * postJson): the text is needed anyway, to forward the upstream's bytes as
   * they are, and a broken error body stays the transport error it is. The
   * answer is OpenAI's shape already: it is only checked to be an object.
   * (Parsed here rather than in a response.ts: on this hot path the extra
   * call measured ~100 bytes more garbage per request.)
   */
  async #json<T>(endpoint: OpenAIEndpoint, request: { model: string }, ctx: CallContext): Promise<T> {
    const res = await this.#client.requestText({
      url: this.#options.url(endpoint, request.model),
      headers: this.#jsonHeaders,
      body: JSON.stringify(request),
      ctx,
    });
    const text = res.text;
    if (res.status < 200 || res.status >= 300) {
      throw openAIStatusError(this.name, res.status, res.headers, parseErrorBody(text));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError("upstream_error", `Provider '${this.name}' returned a body that is not valid JSON (status ${res.status}).`);
    }
    if (typeof body !== "object" || body === null) {
      throw new GatewayError("upstream_error", `Provider '${this.name}' returned an unexpected body for ${endpoint}.`);
    }
    // Forwarded unchanged: the server can send the upstream's bytes instead of serializing again.
    rawJson.set(body, text);
    return body as T;
  }

  /** A streamed call: the request as-is; a non-2xx answer becomes an error before any chunk. */
  #stream(endpoint: OpenAIEndpoint, request: { model: string }, ctx: CallContext): Promise<UpstreamResponse> {
    return postJson(this.#client, {
      url: this.#options.url(endpoint, request.model),
      headers: this.#streamHeaders,
      body: JSON.stringify(request),
      ctx,
    }, openAIStatusError);
  }
}

/** `type: openai` and the other presets: the preset's URL unless the block names one, the key as a Bearer token. */
export function createOpenAIAdapter(name: string, config: OpenAICompatibleConfig, timeouts: Timeouts): OpenAICompatibleAdapter {
  const base = (config.base_url ?? OPENAI_PRESETS[config.type].baseUrl).replace(/\/+$/, "");
  return new OpenAICompatibleAdapter({
    name,
    type: config.type,
    headers: { ...(config.api_key ? { authorization: `Bearer ${config.api_key}` } : {}), ...config.headers },
    url: (endpoint) => `${base}/${endpoint}`,
    connectTimeoutMs: timeouts.connectMs,
    models: config.models,
  });
}
