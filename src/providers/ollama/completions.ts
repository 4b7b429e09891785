/**
 * Legacy text completions (`/v1/completions`) on `POST /api/generate` (api.md
 * "Generate a completion"), request, response and stream. As in Ollama's
 * own OpenAI-compatible layer, the model's prompt template is applied; a
 * client that wants raw continuation sends `raw: true`, which is passed on.
 * One prompt per call (Ollama has no batch); token-id prompts and legacy
 * logprobs have no Ollama equivalent and are refused.
 */
import { newId } from "../../core/ids.js";
import type { CompletionChunk, CompletionRequest, CompletionResponse, FinishReason } from "../../core/types.js";
import { unsupported } from "./errors.js";
import { assertSingleChoice, keepAlive, modelOptions, type OllamaDefaults } from "./request.js";
import { createdFrom, finishReason, parseWire, usageFrom } from "./response.js";
import type { NdjsonTranslator } from "./stream.js";
import { ollamaGenerateResponseSchema, type OllamaGenerateRequest, type OllamaGenerateResponse } from "./wire.js";

function promptText(prompt: CompletionRequest["prompt"]): string {
  if (typeof prompt === "string") return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === "string") return prompt[0];
  throw unsupported("Ollama's /api/generate takes one text prompt per request (not a batch, not token ids).", "prompt");
}

export function toOllamaGenerateRequest(request: CompletionRequest, defaults: OllamaDefaults, stream: boolean): OllamaGenerateRequest {
  assertSingleChoice(request as { n?: number | null });
  if (request.logprobs !== undefined && request.logprobs !== null && request.logprobs !== 0) {
    throw unsupported("Legacy completion logprobs are not supported by the Ollama provider; use chat completions with logprobs.", "logprobs");
  }
  const wire: OllamaGenerateRequest = { model: request.model, prompt: promptText(request.prompt), stream };
  if (typeof request.suffix === "string") wire.suffix = request.suffix;
  if (typeof request.raw === "boolean") wire.raw = request.raw;
  const options = modelOptions(request, defaults);
  if (options) wire.options = options;
  const alive = keepAlive(request, defaults);
  if (alive !== undefined) wire.keep_alive = alive;
  return wire;
}

/** `echo: true` asks for the prompt before the completion. */
function echoed(request: CompletionRequest): string {
  return request.echo === true ? promptText(request.prompt) : "";
}

export function parseGenerateResponse(body: unknown, provider: string): OllamaGenerateResponse {
  return parseWire(ollamaGenerateResponseSchema, body, provider, "a generate response");
}

export function fromOllamaGenerateResponse(wire: OllamaGenerateResponse, request: CompletionRequest): CompletionResponse {
  return {
    id: newId("cmpl-ollama"),
    object: "text_completion",
    created: createdFrom(wire.created_at),
    model: wire.model || request.model,
    choices: [{ index: 0, text: echoed(request) + (wire.response ?? ""), finish_reason: finishReason(wire.done_reason, false), logprobs: null }],
    usage: usageFrom(wire),
  };
}

export class CompletionStreamTranslator implements NdjsonTranslator<CompletionChunk> {
  done = false;
  readonly #provider: string;
  readonly #request: CompletionRequest;
  readonly #includeUsage: boolean;
  readonly #id = newId("cmpl-ollama");
  #model: string;
  #created = 0;
  #started = false;

  constructor(provider: string, request: CompletionRequest, includeUsage: boolean) {
    this.#provider = provider;
    this.#request = request;
    this.#model = request.model;
    this.#includeUsage = includeUsage;
  }

  push(raw: unknown): CompletionChunk[] {
    const event = parseWire(ollamaGenerateResponseSchema, raw, this.#provider, "a stream line");
    const out: CompletionChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      this.#model = event.model || this.#model;
      this.#created = createdFrom(event.created_at);
      const echo = echoed(this.#request);
      if (echo !== "") out.push(this.#chunk(echo, null));
    }
    if (event.response) out.push(this.#chunk(event.response, null));
    if (event.done) {
      this.done = true;
      out.push(this.#chunk("", finishReason(event.done_reason, false)));
      if (this.#includeUsage) out.push({ ...this.#base(), choices: [], usage: usageFrom(event) });
    }
    return out;
  }

  #base(): { id: string; object: "text_completion"; created: number; model: string } {
    return { id: this.#id, object: "text_completion", created: this.#created, model: this.#model };
  }

  #chunk(text: string, finish: FinishReason | null): CompletionChunk {
    return { ...this.#base(), choices: [{ index: 0, text, finish_reason: finish, logprobs: null }] };
  }
}
