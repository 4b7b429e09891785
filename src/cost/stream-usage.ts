/**
 * Usage for streams that end without a usage chunk (an upstream that ignores
 * stream_options.include_usage, a stream cut short, Ollama-compatible
 * servers that omit counts): prompt tokens counted from the request,
 * completion tokens from the text and tool-call arguments the stream
 * delivered. The result carries `estimated: true` so a log row or a
 * dashboard can tell it from reported usage.
 */
import type { ChatChunk, ChatRequest, ChatResponse, CompletionChunk, CompletionRequest, Usage } from "../core/types.js";
import { countRequestTokens, countTokens } from "./tokenizer.js";

export type EstimatedUsage = Usage & { estimated: true };

/** What one choice of a stream delivered. */
export interface AssembledChoice {
  content?: string | null;
  reasoning?: string | null;
  refusal?: string | null;
  tool_calls?: readonly { function: { name: string; arguments: string } }[];
}

/** Output tokens of the assembled choices (all of them: n > 1 is billed per choice). */
export function countCompletionTokens(choices: readonly AssembledChoice[], model: string): number {
  let n = 0;
  for (const c of choices) {
    n += countTokens(c.content ?? "", model) + countTokens(c.reasoning ?? "", model) + countTokens(c.refusal ?? "", model);
    for (const call of c.tool_calls ?? []) n += countTokens(call.function.name, model) + countTokens(call.function.arguments, model);
  }
  return n;
}

function usage(prompt: number, completion: number): EstimatedUsage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, estimated: true };
}

/** Choices of a response rebuilt by the engine's StreamAccumulator. */
export function choicesOf(response: Pick<ChatResponse, "choices">): AssembledChoice[] {
  return response.choices.map((c) => ({
    content: typeof c.message.content === "string" ? c.message.content : null,
    reasoning: typeof c.message.reasoning_content === "string" ? c.message.reasoning_content : null,
    refusal: typeof c.message.refusal === "string" ? c.message.refusal : null,
    tool_calls: c.message.tool_calls ?? [],
  }));
}

/** Usage of a chat stream: `model` is the upstream model (it picks the encoding). */
export function estimateChatUsage(
  request: Pick<ChatRequest, "messages" | "tools">,
  output: Pick<ChatResponse, "choices"> | readonly AssembledChoice[],
  model: string,
): EstimatedUsage {
  const choices = Array.isArray(output) ? (output as readonly AssembledChoice[]) : choicesOf(output as Pick<ChatResponse, "choices">);
  return usage(countRequestTokens({ ...request, model }, model), countCompletionTokens(choices, model));
}

/** Prompt tokens of a legacy completions prompt (token arrays count as their length). */
export function countPromptTokens(prompt: CompletionRequest["prompt"], model: string): number {
  if (typeof prompt === "string") return countTokens(prompt, model);
  let n = 0;
  for (const p of prompt) {
    if (typeof p === "string") n += countTokens(p, model);
    else if (typeof p === "number") n += 1;
    else n += p.length;
  }
  return n;
}

/** Usage of a legacy completions stream from its prompt and the text it delivered. */
export function estimateCompletionUsage(prompt: CompletionRequest["prompt"], text: string, model: string): EstimatedUsage {
  return usage(countPromptTokens(prompt, model), countTokens(text, model));
}

/**
 * Collects what a chat stream delivers, for when the engine does not keep
 * the text otherwise (bodies not logged). Only string concatenation per
 * chunk; tokenizing happens once, in usage(), and only if the stream
 * reported none.
 */
export class StreamUsageEstimator {
  readonly #choices = new Map<number, { content: string; reasoning: string; refusal: string; calls: { function: { name: string; arguments: string } }[] }>();
  /** Chunks not looked at yet: read only if the stream ends without reporting usage. */
  #pending: ChatChunk[] = [];
  /** The usage the upstream reported, when it did. */
  reported: Usage | undefined;

  add(chunk: ChatChunk): void {
    if (chunk.usage) this.reported = chunk.usage;
    // Most streams report usage at the end: their chunks are never read (nor, if unparsed, parsed).
    if (!this.reported) this.#pending.push(chunk);
    else this.#pending.length = 0;
  }

  #read(chunk: ChatChunk): void {
    for (const c of chunk.choices ?? []) {
      let s = this.#choices.get(c.index);
      if (!s) {
        s = { content: "", reasoning: "", refusal: "", calls: [] };
        this.#choices.set(c.index, s);
      }
      const d = c.delta ?? {};
      if (typeof d.content === "string") s.content += d.content;
      if (typeof d.reasoning_content === "string") s.reasoning += d.reasoning_content;
      if (typeof d.refusal === "string") s.refusal += d.refusal;
      for (const tc of d.tool_calls ?? []) {
        const call = (s.calls[tc.index] ??= { function: { name: "", arguments: "" } });
        if (tc.function?.name) call.function.name += tc.function.name;
        if (tc.function?.arguments) call.function.arguments += tc.function.arguments;
      }
    }
  }

  /** The reported usage, or an estimate from the request and what was streamed. */
  usage(request: Pick<ChatRequest, "messages" | "tools">, model: string): Usage | EstimatedUsage {
    if (this.reported) return this.reported;
    for (const chunk of this.#pending) this.#read(chunk);
    this.#pending = [];
    const choices = [...this.#choices.values()].map((s) => ({
      content: s.content,
      reasoning: s.reasoning,
      refusal: s.refusal,
      tool_calls: s.calls.filter(Boolean),
    }));
    return estimateChatUsage(request, choices, model);
  }
}

/**
 * The request to send upstream: with stream_options.include_usage on, so
 * the stream reports usage even when the client did not ask for it.
 * `clientWantsUsage` says whether the client should see that usage.
 */
export function withUpstreamUsage<R extends { stream_options?: { include_usage?: boolean } | null }>(request: R): { request: R; clientWantsUsage: boolean } {
  const clientWantsUsage = request.stream_options?.include_usage === true;
  if (clientWantsUsage) return { request, clientWantsUsage };
  return { request: { ...request, stream_options: { ...request.stream_options, include_usage: true } }, clientWantsUsage };
}

/**
 * What the client gets of an upstream chunk when it did not ask for usage:
 * the usage-only chunk (`choices: []`) is dropped, usage riding on a content
 * chunk is removed. A new object, never a mutation: the original may be
 * forwarded as its raw upstream JSON (core/types rawJson).
 */
export function forClient<C extends ChatChunk | CompletionChunk>(chunk: C, clientWantsUsage: boolean): C | undefined {
  if (clientWantsUsage || chunk.usage === undefined || chunk.usage === null) return chunk;
  if (chunk.choices.length === 0) return undefined;
  const copy = { ...chunk };
  delete copy.usage;
  return copy;
}
