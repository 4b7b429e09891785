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
import { UpstreamClient, type UpstreamStream } from "../_shared/http.js";
import { parseErrorBody, upstreamStatusError } from "../_shared/upstream-error.js";
import type { CallContext, Capabilities, ProviderAdapter } from "../types.js";
import { parseOpenAIError } from "./errors.js";
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

/**
 * Canonical message fields that are the gateway's own extensions (reasoning
 * carried back from Anthropic/Gemini/Ollama answers), which OpenAI's strict
 * message validation would reject. Everything else passes through untouched;
 * the request is only copied when there is something to remove.
 */
const GATEWAY_MESSAGE_FIELDS = ["reasoning_content", "thinking_blocks"] as const;

function withoutGatewayFields(request: ChatRequest): ChatRequest {
  const dirty = request.messages.some((m) => GATEWAY_MESSAGE_FIELDS.some((f) => f in m));
  if (!dirty) return request;
  return {
    ...request,
    messages: request.messages.map((m) => {
      if (!GATEWAY_MESSAGE_FIELDS.some((f) => f in m)) return m;
      const copy = { ...m };
      for (const f of GATEWAY_MESSAGE_FIELDS) delete copy[f];
      return copy;
    }),
  };
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
    return this.#json<ChatResponse>("chat/completions", withoutGatewayFields(request), ctx);
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const res = await this.#stream("chat/completions", withoutGatewayFields(request), ctx);
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

  async #json<T>(endpoint: OpenAIEndpoint, request: { model: string }, ctx: CallContext): Promise<T> {
    const res = await this.#client.requestText({
      url: this.#options.url(endpoint, request.model),
      headers: this.#jsonHeaders,
      body: JSON.stringify(request),
      ctx,
    });
    const text = res.text;
    if (res.status < 200 || res.status >= 300) {
      throw upstreamStatusError(this.name, res.status, res.headers, parseOpenAIError(parseErrorBody(text)));
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
  async #stream(endpoint: OpenAIEndpoint, request: { model: string }, ctx: CallContext): Promise<UpstreamStream> {
    const res = await this.#client.requestStream({
      url: this.#options.url(endpoint, request.model),
      headers: this.#streamHeaders,
      body: JSON.stringify(request),
      ctx,
    });
    if (res.status >= 200 && res.status < 300) return res;
    const text = await res.body.text().catch(() => "");
    throw upstreamStatusError(this.name, res.status, res.headers, parseOpenAIError(parseErrorBody(text)));
  }


}
