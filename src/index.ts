/**
 * The library: the same engine the server runs, in-process.
 *
 *   const gateway = createGateway({ providers: { demo: { type: "mock" } } });
 *   const res = await gateway.chat({ model: "demo/echo", messages: [{ role: "user", content: "hi" }] });
 */
import { validateConfig } from "./config/load.js";
import type { Config, ConfigInput } from "./config/schema.js";
import type {
  ChatChunk, ChatRequest, ChatResponse, CompletionRequest, CompletionResponse, EmbeddingRequest, EmbeddingResponse, ModelInfo,
} from "./core/types.js";
import { Engine, type EngineDeps } from "./engine/engine.js";
import { plain } from "./core/lazy-chunk.js";
import { checkDepth } from "./core/json-depth.js";
import type { CallOptions } from "./engine/call-options.js";

export interface Gateway {
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResponse>;
  /** An async iterable of OpenAI-shaped chunks; breaking out of the loop cancels the upstream call. */
  chatStream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk>;
  completions(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse>;
  embed(request: EmbeddingRequest, options?: CallOptions): Promise<EmbeddingResponse>;
  models(): Promise<ModelInfo[]>;
  /** Flushes the request log and closes connections. */
  close(): Promise<void>;
  /** The engine itself, for metrics and advanced use. */
  engine(): Promise<Engine>;
}

/**
 * Creates a gateway from a config object (the YAML file's shape). Throws a
 * ConfigError at once if the config is invalid; the store opens in the
 * background and the first call waits for it.
 */
export function createGateway(config: ConfigInput | Config, deps: EngineDeps = {}): Gateway {
  const valid = validateConfig(config, "createGateway(config)");
  const ready = Engine.create(valid, deps);
  // The server refuses bodies nested past server.max_json_depth when it parses them; in-process callers are held to the same limit here.
  const depth = valid.server.max_json_depth;
  const checked = <T>(request: T, options: CallOptions | undefined): T => {
    checkDepth(request, depth, "The request");
    if (options?.metadata) checkDepth(options.metadata, depth, "options.metadata");
    return request;
  };
  ready.catch(() => undefined); // surfaced on first use, not as an unhandled rejection
  return {
    async chat(request, options) {
      return (await (await ready).chat({ ...checked(request, options), stream: false }, options)).value;
    },
    chatStream(request, options) {
      return {
        async *[Symbol.asyncIterator]() {
          const { stream } = await (await ready).chatStream({ ...checked(request, options), stream: true }, options);
          // Chunks the gateway left unparsed (LazyChunk) become plain objects here.
          for await (const chunk of stream) yield plain(chunk);
        },
      };
    },
    async completions(request, options) {
      return (await (await ready).completions({ ...checked(request, options), stream: false }, options)).value;
    },
    async embed(request, options) {
      return (await (await ready).embed(checked(request, options), options)).value;
    },
    async models() {
      return (await ready).listModels();
    },
    async close() {
      await (await ready).close();
    },
    engine: () => ready,
  };
}

export { ConfigError, validateConfig, loadConfigFile } from "./config/load.js";
export { GatewayError } from "./core/errors.js";
export type { Config, ConfigInput } from "./config/schema.js";
export type * from "./core/types.js";
export type { CallOptions } from "./engine/call-options.js";
export { startServer } from "./server/start.js";
