/**
 * The Anthropic Messages API adapter: canonical (OpenAI-shaped) chat in,
 * POST {base_url}/v1/messages out, canonical responses and chunks back.
 * Anthropic has no embeddings or legacy completions API, so only chat is
 * offered.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/types.js";
import { UpstreamClient, readJson, type UpstreamResponse } from "../_shared/http.js";
import { postJson } from "../_shared/post-json.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../types.js";
import { ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_DEFAULT_VERSION, type AnthropicConfig } from "./config.js";
import { anthropicStatusError } from "./errors.js";
import { samplingAllowed, toAnthropicRequest, type RequestOptions } from "./request.js";
import { fromAnthropicMessage } from "./response.js";
import { AnthropicStreamTranslator, anthropicStream } from "./stream.js";

export class AnthropicAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type = "anthropic";
  readonly capabilities: Capabilities = { chat: true, completions: false, embeddings: false, vision: true, tools: true };
  readonly #config: AnthropicConfig;
  readonly #client: UpstreamClient;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #sampling: boolean;

  constructor(name: string, config: AnthropicConfig, timeouts: Timeouts) {
    this.name = name;
    this.#config = config;
    this.#client = new UpstreamClient(name, { connectTimeoutMs: timeouts.connectMs });
    this.#url = `${(config.base_url ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, "").replace(/\/v1$/, "")}/v1/messages`;
    const version = config.anthropic_version ?? ANTHROPIC_DEFAULT_VERSION;
    this.#sampling = samplingAllowed(version);
    this.#headers = {
      "content-type": "application/json",
      accept: "application/json",
      "anthropic-version": version,
      ...(config.api_key ? { "x-api-key": config.api_key } : {}),
      ...config.headers,
    };
  }

  models(): string[] {
    return this.#config.models ?? [];
  }

  async chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    const prepared = toAnthropicRequest(request, this.#options(false));
    const res = await this.#send(prepared.body, false, ctx);
    const body = await readJson(res, ctx, this.name);
    return fromAnthropicMessage(body, this.name, { jsonTool: prepared.jsonTool });
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const prepared = toAnthropicRequest(request, this.#options(true));
    const res = await this.#send(prepared.body, true, ctx);
    const translator = new AnthropicStreamTranslator({
      provider: this.name,
      includeUsage: request.stream_options?.include_usage === true,
      ...(prepared.jsonTool === undefined ? {} : { jsonTool: prepared.jsonTool }),
    });
    return anthropicStream(res, ctx, translator, this.name);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  #options(stream: boolean): RequestOptions {
    return {
      stream,
      sampling: this.#sampling,
      ...(this.#config.default_max_tokens === undefined ? {} : { defaultMaxTokens: this.#config.default_max_tokens }),
      ...(this.#config.structured_output === undefined ? {} : { structuredOutput: this.#config.structured_output }),
    };
  }

  #send(body: object, stream: boolean, ctx: CallContext): Promise<UpstreamResponse> {
    return postJson(this.#client, {
      url: this.#url,
      headers: stream ? { ...this.#headers, accept: "text/event-stream" } : this.#headers,
      body: JSON.stringify(body),
      ctx,
    }, anthropicStatusError);
  }
}

export function createAnthropicAdapter(name: string, config: AnthropicConfig, timeouts: Timeouts): ProviderAdapter {
  return new AnthropicAdapter(name, config, timeouts);
}
