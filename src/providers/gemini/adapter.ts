/**
 * Google Gemini through the Generative Language API:
 *   POST {base}/{version}/models/{model}:generateContent
 *   POST {base}/{version}/models/{model}:streamGenerateContent?alt=sse
 *   POST {base}/{version}/models/{model}:batchEmbedContents
 * The key travels in `x-goog-api-key`, never in the URL.
 */
import { GatewayError } from "../../core/errors.js";
import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingRequest, EmbeddingResponse } from "../../core/types.js";
import { UpstreamClient, readJson, type UpstreamResponse } from "../_shared/http.js";
import { postJson } from "../_shared/post-json.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../types.js";
import { GEMINI_DEFAULT_BASE_URL, type GeminiConfig } from "./config.js";
import { fromBatchEmbedResponse, toBatchEmbedRequest } from "./embeddings.js";
import { geminiStatusError } from "./errors.js";
import { toGenerateContentRequest, type GeminiRequestOptions } from "./request.js";
import { fromGenerateContentResponse } from "./response.js";
import { GeminiStreamTranslator, geminiStream } from "./stream.js";
import type { BatchEmbedContentsResponse, GenerateContentResponse } from "./wire-types.js";

type Method = "generateContent" | "streamGenerateContent" | "batchEmbedContents";

/**
 * The resource name of a model: `models/{id}`, or a tuned model's
 * `tunedModels/{id}`. The id is one encoded path segment either way: a
 * client may name the model (`gemini/tunedModels/x?key=…#`), and no name may
 * reach another path or query on the upstream with the provider's key.
 */
export function modelResource(model: string): string {
  if (model.startsWith("tunedModels/")) return `tunedModels/${encodeURIComponent(model.slice("tunedModels/".length))}`;
  const id = model.startsWith("models/") ? model.slice("models/".length) : model;
  return `models/${encodeURIComponent(id)}`;
}

class GeminiAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type = "gemini";
  readonly capabilities: Capabilities = { chat: true, completions: false, embeddings: true, vision: true, tools: true };
  readonly #client: UpstreamClient;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #options: GeminiRequestOptions;
  readonly #models: string[];

  constructor(name: string, config: GeminiConfig, timeouts: Timeouts) {
    this.name = name;
    this.#client = new UpstreamClient(name, { connectTimeoutMs: timeouts.connectMs });
    this.#base = `${(config.base_url ?? GEMINI_DEFAULT_BASE_URL).replace(/\/+$/, "")}/${config.api_version}/`;
    this.#headers = {
      "content-type": "application/json",
      accept: "application/json",
      ...(config.api_key ? { "x-goog-api-key": config.api_key } : {}),
      ...config.headers,
    };
    this.#options = { apiVersion: config.api_version, safetySettings: config.safety_settings, includeThoughts: config.include_thoughts };
    this.#models = config.models ?? [];
  }

  models(): string[] {
    return this.#models;
  }

  async chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    const body = toGenerateContentRequest(request, this.#options);
    const res = await this.#send(request.model, "generateContent", body, ctx);
    return fromGenerateContentResponse(await this.#json<GenerateContentResponse>(res, ctx), request.model, this.name);
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const body = toGenerateContentRequest(request, this.#options);
    const res = await this.#send(request.model, "streamGenerateContent", body, ctx);
    const translator = new GeminiStreamTranslator(request.model, request.stream_options?.include_usage === true);
    return geminiStream(res, ctx, this.name, translator);
  }

  async embed(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResponse> {
    const { body, inputs } = toBatchEmbedRequest(request);
    const res = await this.#send(request.model, "batchEmbedContents", body, ctx);
    return fromBatchEmbedResponse(await this.#json<BatchEmbedContentsResponse>(res, ctx), request, inputs, this.name);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #json<T>(res: UpstreamResponse, ctx: CallContext): Promise<T> {
    const body = await readJson(res, ctx, this.name);
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new GatewayError("upstream_error", `Provider '${this.name}' returned an unexpected body.`);
    }
    return body as T;
  }

  #send(model: string, method: Method, body: object, ctx: CallContext): Promise<UpstreamResponse> {
    const stream = method === "streamGenerateContent";
    return postJson(this.#client, {
      url: `${this.#base}${modelResource(model)}:${method}${stream ? "?alt=sse" : ""}`,
      headers: stream ? { ...this.#headers, accept: "text/event-stream" } : this.#headers,
      body: JSON.stringify(body),
      ctx,
    }, geminiStatusError);
  }
}

export function createGeminiAdapter(name: string, config: GeminiConfig, timeouts: Timeouts): ProviderAdapter {
  return new GeminiAdapter(name, config, timeouts);
}
