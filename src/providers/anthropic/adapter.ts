/**
 * The Anthropic Messages API adapter: canonical (OpenAI-shaped) chat in,
 * POST {base_url}/v1/messages out, canonical responses and chunks back, and
 * the upstream's own token count (/v1/messages/count_tokens). Anthropic has
 * no embeddings or legacy completions API, so only chat is offered.
 *
 * A client's anthropic-* headers (CallContext.providerHeaders, from
 * /v1/messages) go out with the request: its anthropic-version replaces the
 * configured one (and decides whether sampling parameters may be sent), its
 * anthropic-beta flags join the configured ones.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/types.js";
import { UpstreamClient, readJson, type UpstreamResponse } from "../_shared/http.js";
import { postJson } from "../_shared/post-json.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../types.js";
import { ANTHROPIC_DEFAULT_BASE_URL, ANTHROPIC_DEFAULT_VERSION, type AnthropicConfig } from "./config.js";
import { countTokensBody, inputTokensOf } from "./count-tokens.js";
import { anthropicStatusError } from "./errors.js";
import { ANTHROPIC_TYPE } from "./native-fields.js";
import { samplingAllowed, toAnthropicRequest, type RequestOptions } from "./request.js";
import { fromAnthropicMessage } from "./response.js";
import { AnthropicStreamTranslator, anthropicStream } from "./stream.js";

export class AnthropicAdapter implements ProviderAdapter {
  readonly name: string;
  readonly type = ANTHROPIC_TYPE;
  readonly capabilities: Capabilities = { chat: true, completions: false, embeddings: false, vision: true, tools: true };
  readonly #config: AnthropicConfig;
  readonly #client: UpstreamClient;
  readonly #url: string;
  readonly #countUrl: string;
  readonly #headers: Record<string, string>;
  readonly #sampling: boolean;

  constructor(name: string, config: AnthropicConfig, timeouts: Timeouts) {
    this.name = name;
    this.#config = config;
    this.#client = new UpstreamClient(name, { connectTimeoutMs: timeouts.connectMs });
    this.#url = `${(config.base_url ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, "").replace(/\/v1$/, "")}/v1/messages`;
    this.#countUrl = `${this.#url}/count_tokens`;
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
    const prepared = toAnthropicRequest(request, this.#options(false, ctx));
    const res = await this.#send(this.#url, prepared.body, false, ctx);
    const body = await readJson(res, ctx, this.name);
    return fromAnthropicMessage(body, this.name, { jsonTool: prepared.jsonTool });
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const prepared = toAnthropicRequest(request, this.#options(true, ctx));
    const res = await this.#send(this.#url, prepared.body, true, ctx);
    const translator = new AnthropicStreamTranslator({
      provider: this.name,
      includeUsage: request.stream_options?.include_usage === true,
      ...(prepared.jsonTool === undefined ? {} : { jsonTool: prepared.jsonTool }),
    });
    return anthropicStream(res, ctx, translator, this.name);
  }

  async countTokens(request: ChatRequest, ctx: CallContext): Promise<number> {
    const prepared = toAnthropicRequest(request, this.#options(false, ctx));
    const res = await this.#send(this.#countUrl, countTokensBody(prepared.body), false, ctx);
    return inputTokensOf(await readJson(res, ctx, this.name), this.name);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  #options(stream: boolean, ctx: CallContext): RequestOptions {
    const version = ctx.providerHeaders?.[this.type]?.["anthropic-version"];
    return {
      stream,
      sampling: version === undefined ? this.#sampling : samplingAllowed(version),
      ...(this.#config.default_max_tokens === undefined ? {} : { defaultMaxTokens: this.#config.default_max_tokens }),
      ...(this.#config.structured_output === undefined ? {} : { structuredOutput: this.#config.structured_output }),
    };
  }

  #send(url: string, body: object, stream: boolean, ctx: CallContext): Promise<UpstreamResponse> {
    return postJson(this.#client, {
      url,
      headers: this.#headersFor(stream, ctx),
      body: JSON.stringify(body),
      ctx,
    }, anthropicStatusError);
  }

  #headersFor(stream: boolean, ctx: CallContext): Record<string, string> {
    const base = stream ? { ...this.#headers, accept: "text/event-stream" } : this.#headers;
    const client = ctx.providerHeaders?.[this.type];
    if (!client) return base;
    const out = { ...base, ...client };
    const configured = base["anthropic-beta"];
    const asked = client["anthropic-beta"];
    if (configured && asked) out["anthropic-beta"] = [...new Set(`${configured},${asked}`.split(",").map((f) => f.trim()).filter(Boolean))].join(",");
    return out;
  }
}

export function createAnthropicAdapter(name: string, config: AnthropicConfig, timeouts: Timeouts): ProviderAdapter {
  return new AnthropicAdapter(name, config, timeouts);
}
