/**
 * The built-in deterministic provider: demos, tests and load tests with no
 * key and no network. `mock/echo` answers with the last user message; every
 * other model answers with the configured `text` (or a fixed sentence).
 * Token counts are whitespace-separated words, so they are predictable.
 * Embeddings are hashes of the text (same text, same vector), except for
 * `embed-lexical`, whose vectors place texts with the same content words
 * close together (lexical-embedding.ts), for the semantic cache.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createHash } from "node:crypto";
import type {
  ChatChunk, ChatMessage, ChatRequest, ChatResponse, CompletionChunk, CompletionRequest,
  CompletionResponse, EmbeddingRequest, EmbeddingResponse, Usage,
} from "../../core/types.js";
import { newId } from "../../core/ids.js";
import { abortReason } from "../_shared/http.js";
import { LEXICAL_DIMENSIONS, LEXICAL_EMBEDDING_MODEL, lexicalVector } from "./lexical-embedding.js";
import type { CallContext, Capabilities, ProviderAdapter } from "../types.js";
import type { MockConfig } from "./config.js";

export interface MockOptions {
  name: string;
  text?: string;
  latencyMs: number;
  chunkSize: number;
  chunkDelayMs: number;
  embeddingDimensions: number;
  models?: string[];
}

const DEFAULT_TEXT = "This is a reply from Liaison's built-in mock provider.";

export function countTokens(text: string): number {
  const t = text.trim();
  return t ? t.split(/\s+/).length : 0;
}

function messageText(m: ChatMessage): string {
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => (p.type === "text" ? p.text : "")).join(" ");
  return "";
}

function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export class MockAdapter implements ProviderAdapter {
  readonly type = "mock";
  readonly name: string;
  readonly capabilities: Capabilities = { chat: true, completions: true, embeddings: true };
  readonly #o: MockOptions;

  constructor(options: MockOptions) {
    this.name = options.name;
    this.#o = options;
  }

  models(): string[] {
    return this.#o.models ?? ["echo", "fixed"];
  }

  #reply(model: string, input: string): string {
    if (model === "echo") return input;
    return this.#o.text ?? DEFAULT_TEXT;
  }

  #chatText(request: ChatRequest): { reply: string; promptTokens: number } {
    const users = request.messages.filter((m) => m.role === "user");
    const last = users.length ? messageText(users[users.length - 1] as ChatMessage) : "";
    const promptTokens = request.messages.reduce((n, m) => n + countTokens(messageText(m)), 0);
    return { reply: this.#reply(request.model, last), promptTokens };
  }

  async #wait(ms: number, ctx: CallContext): Promise<void> {
    if (ms <= 0) {
      if (ctx.signal.aborted) throw abortReason(ctx.signal);
      return;
    }
    try {
      await sleep(ms, undefined, { signal: ctx.signal });
    } catch {
      throw abortReason(ctx.signal);
    }
  }

  async chat(request: ChatRequest, ctx: CallContext): Promise<ChatResponse> {
    await this.#wait(this.#o.latencyMs, ctx);
    const { reply, promptTokens } = this.#chatText(request);
    const n = request.n ?? 1;
    return {
      id: newId("chatcmpl-mock"),
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: "assistant" as const, content: reply, refusal: null },
        finish_reason: "stop" as const,
        logprobs: null,
      })),
      usage: usage(promptTokens, countTokens(reply) * n),
      system_fingerprint: null,
    };
  }

  #pieces(text: string): string[] {
    const out: string[] = [];
    // Split on code points, not UTF-16 units, so no chunk carries half an emoji.
    const chars = Array.from(text);
    for (let i = 0; i < chars.length; i += this.#o.chunkSize) out.push(chars.slice(i, i + this.#o.chunkSize).join(""));
    return out;
  }

  async chatStream(request: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChatChunk>> {
    await this.#wait(this.#o.latencyMs, ctx);
    const { reply, promptTokens } = this.#chatText(request);
    const id = newId("chatcmpl-mock");
    const created = Math.floor(Date.now() / 1000);
    const base = { id, object: "chat.completion.chunk" as const, created, model: request.model };
    const includeUsage = request.stream_options?.include_usage === true;
    const pieces = this.#pieces(reply);
    const wait = () => this.#wait(this.#o.chunkDelayMs, ctx);
    return (async function* (): AsyncGenerator<ChatChunk> {
      yield { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] };
      for (const piece of pieces) {
        await wait();
        yield { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
      }
      yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] };
      if (includeUsage) yield { ...base, choices: [], usage: usage(promptTokens, countTokens(reply)) };
    })();
  }

  #promptText(request: CompletionRequest): string {
    const p = request.prompt;
    if (typeof p === "string") return p;
    if (Array.isArray(p) && typeof p[0] === "string") return (p as string[]).join("\n");
    return "";
  }

  async completions(request: CompletionRequest, ctx: CallContext): Promise<CompletionResponse> {
    await this.#wait(this.#o.latencyMs, ctx);
    const prompt = this.#promptText(request);
    const text = this.#reply(request.model, prompt);
    return {
      id: newId("cmpl-mock"),
      object: "text_completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, text, finish_reason: "stop", logprobs: null }],
      usage: usage(countTokens(prompt), countTokens(text)),
    };
  }

  async completionsStream(request: CompletionRequest, ctx: CallContext): Promise<AsyncIterable<CompletionChunk>> {
    await this.#wait(this.#o.latencyMs, ctx);
    const prompt = this.#promptText(request);
    const text = this.#reply(request.model, prompt);
    const base = { id: newId("cmpl-mock"), object: "text_completion" as const, created: Math.floor(Date.now() / 1000), model: request.model };
    const pieces = this.#pieces(text);
    const includeUsage = (request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const wait = () => this.#wait(this.#o.chunkDelayMs, ctx);
    return (async function* (): AsyncGenerator<CompletionChunk> {
      for (const piece of pieces) {
        await wait();
        yield { ...base, choices: [{ index: 0, text: piece, finish_reason: null }] };
      }
      yield { ...base, choices: [{ index: 0, text: "", finish_reason: "stop" }] };
      if (includeUsage) yield { ...base, choices: [], usage: usage(countTokens(prompt), countTokens(text)) };
    })();
  }

  async embed(request: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResponse> {
    await this.#wait(this.#o.latencyMs, ctx);
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    // The lexical model has its own default size: the provider's (16 by default) is too small to hash words into.
    const lexical = request.model === LEXICAL_EMBEDDING_MODEL;
    const dims = request.dimensions ?? (lexical ? LEXICAL_DIMENSIONS : this.#o.embeddingDimensions);
    let tokens = 0;
    const data = inputs.map((input, index) => {
      const text = typeof input === "string" ? input : JSON.stringify(input);
      tokens += countTokens(text);
      const vector = lexical ? lexicalVector(text, dims) : deterministicVector(text, dims);
      const embedding = request.encoding_format === "base64"
        ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
        : vector;
      return { object: "embedding" as const, index, embedding };
    });
    return { object: "list", data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }
}

export function createMockAdapter(name: string, config: MockConfig): MockAdapter {
  return new MockAdapter({
    name,
    text: config.text,
    latencyMs: config.latency_ms,
    chunkSize: config.chunk_size,
    chunkDelayMs: config.chunk_delay_ms,
    embeddingDimensions: config.embedding_dimensions,
    models: config.models,
  });
}

/** A unit vector derived from the text's hash: same text, same vector. */
function deterministicVector(text: string, dims: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dims; block++) {
    const bytes = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 4 <= bytes.length && out.length < dims; i += 4) out.push(bytes.readInt32LE(i) / 2 ** 31);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}
