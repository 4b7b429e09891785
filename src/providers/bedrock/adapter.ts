/**
 * Amazon Bedrock through the Converse API: one request shape for the
 * Anthropic, Meta Llama, Mistral and Amazon families (family quirks in
 * model-family.ts). Chat only: Titan/Cohere embeddings and legacy text
 * completions live on InvokeModel, whose bodies differ per model, and are out
 * of scope here.
 *
 *   POST {base}/model/{modelId}/converse          → JSON
 *   POST {base}/model/{modelId}/converse-stream   → application/vnd.amazon.eventstream
 *
 * Requests are signed with SigV4 (service "bedrock") over the exact body
 * bytes sent, or carry a Bedrock API key as a Bearer token.
 */
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/types.js";
import { UpstreamClient, readJson, type UpstreamHeaders, type UpstreamResponse } from "../_shared/http.js";
import { postJson } from "../_shared/post-json.js";
import type { CallContext, Capabilities, ProviderAdapter, Timeouts } from "../types.js";
import { bearerAuth, regionFromHost, resolveCredentials, sigv4Auth, type Env, type RequestAuth } from "./auth.js";
import type { BedrockConfig } from "./config.js";
import { bedrockStatusError } from "./errors.js";
import { quirksOf } from "./model-family.js";
import { responseAsChunks } from "./replay-stream.js";
import { toConverseRequest } from "./request.js";
import { fromConverseResponse, responseIdOf } from "./response.js";
import { ConverseStreamTranslator, converseStream } from "./stream.js";
import type { ConverseRequestBody } from "./wire-types.js";

type Action = "converse" | "converse-stream";

const ACCEPT: Record<Action, string> = { converse: "application/json", "converse-stream": "application/vnd.amazon.eventstream" };

function header(headers: UpstreamHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function* replay(chunks: ChatChunk[]): AsyncGenerator<ChatChunk> {
  yield* chunks;
}

class BedrockAdapter implements ProviderAdapter {
  readonly type = "bedrock";
  readonly capabilities: Capabilities = { chat: true, completions: false, embeddings: false, vision: true, tools: true };
  readonly name: string;
  readonly #base: string;
  readonly #auth: RequestAuth;
  readonly #headers: Record<string, string>;
  readonly #models: string[];
  readonly #client: UpstreamClient;
  readonly secrets: readonly string[];

  constructor(name: string, base: string, auth: RequestAuth, config: BedrockConfig, timeouts: Timeouts, secrets: readonly string[] = []) {
    this.name = name;
    this.secrets = secrets;
    this.#base = base;
    this.#auth = auth;
    this.#headers = { ...config.headers };
    this.#models = config.models ?? [];
    this.#client = new UpstreamClient(name, { connectTimeoutMs: timeouts.connectMs });
  }

  models(): string[] {
    return this.#models;
  }

  async chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    const body = toConverseRequest(request, quirksOf(request.model));
    return this.#converse(request.model, body, ctx);
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    const quirks = quirksOf(request.model);
    const body = toConverseRequest(request, quirks);
    const includeUsage = request.stream_options?.include_usage === true;
    if (body.toolConfig !== undefined && !quirks.streamingToolUse) {
      // ConverseStream would refuse the tools for this family: answer via Converse, replayed as chunks.
      const response = await this.#converse(request.model, body, ctx);
      return replay(responseAsChunks(response, includeUsage));
    }
    const res = await this.#send("converse-stream", request.model, body, ctx);
    const translator = new ConverseStreamTranslator({ provider: this.name, id: responseIdOf(header(res.headers, "x-amzn-requestid")), model: request.model, includeUsage });
    return converseStream(res, ctx, this.name, translator);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #converse(model: string, body: ConverseRequestBody, ctx: CallContext): Promise<ChatResponse> {
    const res = await this.#send("converse", model, body, ctx);
    const json = await readJson(res, ctx, this.name);
    return fromConverseResponse(json, model, header(res.headers, "x-amzn-requestid"), this.name);
  }

  async #send(action: Action, model: string, body: ConverseRequestBody, ctx: CallContext): Promise<UpstreamResponse> {
    // The model id is one path segment: inference-profile ids carry ':' and ARNs carry '/' too.
    const url = `${this.#base}/model/${encodeURIComponent(model)}/${action}`;
    const payload = JSON.stringify(body);
    const headers = await this.#auth.headers({
      url: new URL(url),
      headers: { ...this.#headers, "content-type": "application/json", accept: ACCEPT[action] },
      body: payload,
    });
    // The request id (x-amzn-requestid) names the answer, so a 2xx answer's headers are kept too.
    return postJson(this.#client, { url, headers, body: payload, ctx, responseHeaders: true }, bedrockStatusError);
  }
}

/**
 * Builds the adapter; throws (at start-up) when it has no credentials or no
 * region to sign for. `env` is read here, once: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_BEARER_TOKEN_BEDROCK.
 */
export function createBedrockAdapter(name: string, config: BedrockConfig, timeouts: Timeouts, env: Env = process.env): ProviderAdapter {
  const credentials = resolveCredentials(name, config, env);
  const region = config.region ?? (config.base_url ? regionFromHost(new URL(config.base_url).hostname) : undefined);
  if (config.base_url === undefined && region === undefined) {
    throw new Error(`Provider '${name}' (type bedrock) needs a region (e.g. region: us-east-1) or a base_url.`);
  }
  const base = (config.base_url ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, "");
  let auth: RequestAuth;
  if (credentials.kind === "bearer") auth = bearerAuth(credentials.token);
  else if (region === undefined) {
    throw new Error(`Provider '${name}' (type bedrock) signs requests with SigV4, which needs the region: set region (base_url ${base} does not name one).`);
  } else auth = sigv4Auth(credentials.credentials, region);
  const secrets = credentials.kind === "bearer"
    ? [credentials.token]
    : [credentials.credentials.secretAccessKey, ...(credentials.credentials.sessionToken ? [credentials.credentials.sessionToken] : [])];
  return new BedrockAdapter(name, base, auth, config, timeouts, secrets);
}
