/**
 * streamGenerateContent?alt=sse → canonical chunks. Every SSE event is a
 * partial GenerateContentResponse: text parts are deltas, a functionCall part
 * arrives whole (so each becomes one tool_call delta carrying id, name and the
 * complete arguments), the candidate's last event carries its finishReason,
 * and usageMetadata is cumulative (the last one counts). There is no [DONE]:
 * a stream is complete when every candidate has finished (or the prompt was
 * blocked), and anything else is a broken stream.
 */
import { GatewayError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { ChatChunk, ChunkChoice } from "../../core/types.js";
import { type UpstreamResponse, streamFailure } from "../_shared/http.js";
import { readItems, type BodyReader } from "../_shared/read-body.js";
import { SSEDecoder, type SSEEvent } from "../_shared/sse.js";
import type { CallContext } from "../types.js";
import { geminiStreamError } from "./errors.js";
import { contentFilterReport, finishReasonOf, functionCallToToolCall, toUsage } from "./response.js";
import type { GeminiCandidate, GeminiUsageMetadata, GenerateContentResponse } from "./wire-types.js";

interface CandidateState { toolCalls: number; finished: boolean }

/** The translation state of one stream. */
export class GeminiStreamTranslator {
  readonly #includeUsage: boolean;
  readonly #created = Math.floor(Date.now() / 1000);
  readonly #candidates = new Map<number, CandidateState>();
  #id: string | undefined;
  #model: string;
  #usage: GeminiUsageMetadata | undefined;
  #blocked = false;

  constructor(requestModel: string, includeUsage: boolean) {
    this.#model = requestModel;
    this.#includeUsage = includeUsage;
  }

  /** One decoded event → the chunks it stands for. */
  push(event: GenerateContentResponse): ChatChunk[] {
    this.#id ??= event.responseId || newId("chatcmpl");
    if (event.modelVersion) this.#model = event.modelVersion;
    if (event.usageMetadata) this.#usage = event.usageMetadata;
    const out: ChatChunk[] = [];
    const candidates = event.candidates ?? [];
    if (candidates.length === 0 && event.promptFeedback?.blockReason && !this.#blocked) {
      this.#blocked = true;
      this.#state(0, out);
      const feedback = event.promptFeedback;
      out.push(this.#chunk({
        index: 0, delta: {}, finish_reason: "content_filter",
        content_filter_results: contentFilterReport("prompt", feedback.blockReason ?? "OTHER", feedback.safetyRatings),
      }));
    }
    candidates.forEach((candidate, position) => this.#candidate(candidate, candidate.index ?? position, out));
    return out;
  }

  /** Called when the body ended: the usage chunk, or an error if the answer is incomplete. */
  end(provider: string): ChatChunk[] {
    const states = [...this.#candidates.values()];
    if (!this.#blocked && (states.length === 0 || states.some((s) => !s.finished))) {
      throw new GatewayError("stream_interrupted", `The stream from provider '${provider}' ended before the answer was complete.`);
    }
    if (!this.#includeUsage || this.#usage === undefined) return [];
    return [{ ...this.#chunk(undefined), usage: toUsage(this.#usage) }];
  }

  #candidate(candidate: GeminiCandidate, index: number, out: ChatChunk[]): void {
    const state = this.#state(index, out);
    let text = "";
    let thinking = "";
    const flush = (): void => {
      if (thinking !== "") out.push(this.#chunk({ index, delta: { reasoning_content: thinking }, finish_reason: null }));
      if (text !== "") out.push(this.#chunk({ index, delta: { content: text }, finish_reason: null }));
      text = thinking = "";
    };
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) {
        flush();
        const call = functionCallToToolCall({ ...part, functionCall: part.functionCall });
        out.push(this.#chunk({ index, delta: { tool_calls: [{ index: state.toolCalls++, ...call }] }, finish_reason: null }));
      } else if (typeof part.text === "string") {
        // Adjacent parts of one kind in one event become one delta.
        if (part.thought === true) {
          if (text !== "") flush();
          thinking += part.text;
        } else {
          if (thinking !== "") flush();
          text += part.text;
        }
      }
    }
    flush();
    const finish = finishReasonOf(candidate.finishReason, state.toolCalls > 0);
    if (finish === null || state.finished) return;
    state.finished = true;
    const choice: ChunkChoice = { index, delta: {}, finish_reason: finish };
    if (finish === "content_filter") {
      choice.content_filter_results = contentFilterReport("response", candidate.finishReason ?? "SAFETY", candidate.safetyRatings, candidate.finishMessage);
    }
    out.push(this.#chunk(choice));
  }

  /** A candidate's state; its first appearance opens with the role delta, as OpenAI streams do. */
  #state(index: number, out: ChatChunk[]): CandidateState {
    let state = this.#candidates.get(index);
    if (state === undefined) {
      state = { toolCalls: 0, finished: false };
      this.#candidates.set(index, state);
      out.push(this.#chunk({ index, delta: { role: "assistant", content: "" }, finish_reason: null }));
    }
    return state;
  }

  #chunk(choice: ChunkChoice | undefined): ChatChunk {
    return {
      id: this.#id ?? "",
      object: "chat.completion.chunk",
      created: this.#created,
      model: this.#model,
      choices: choice === undefined ? [] : [choice],
    };
  }
}

function parseEvent(ev: SSEEvent, provider: string): GenerateContentResponse | undefined {
  if (ev.data === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(ev.data);
  } catch {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a stream event that is not valid JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GatewayError("stream_interrupted", `Provider '${provider}' sent a stream event that is not a JSON object.`);
  }
  if ("error" in value) throw geminiStreamError(provider, value);
  return value as GenerateContentResponse;
}

export function geminiStream(
  res: UpstreamResponse,
  ctx: CallContext,
  provider: string,
  translator: GeminiStreamTranslator,
): AsyncGenerator<ChatChunk> {
  return readItems(res.body, new GeminiSseReader(translator, ctx, provider));
}

/** SSE → translated chunks for one stream. Gemini sends no end marker: the body's end is the stream's. */
class GeminiSseReader implements BodyReader<ChatChunk> {
  readonly done = false;
  readonly #decoder = new SSEDecoder();
  readonly #translator: GeminiStreamTranslator;
  readonly #ctx: CallContext;
  readonly #provider: string;

  constructor(translator: GeminiStreamTranslator, ctx: CallContext, provider: string) {
    this.#translator = translator;
    this.#ctx = ctx;
    this.#provider = provider;
  }

  push(bytes: Uint8Array, out: ChatChunk[]): unknown {
    return this.#translate(this.#decoder.push(bytes), out);
  }

  end(out: ChatChunk[]): unknown {
    const failure = this.#translate(this.#decoder.end(), out);
    if (failure !== undefined) return failure;
    try {
      out.push(...this.#translator.end(this.#provider));
    } catch (err) {
      return err;
    }
    return undefined;
  }

  fail(err: unknown): GatewayError {
    return streamFailure(err, this.#ctx, this.#provider);
  }

  #translate(events: SSEEvent[], out: ChatChunk[]): unknown {
    for (const ev of events) {
      try {
        const event = parseEvent(ev, this.#provider);
        if (event !== undefined) out.push(...this.#translator.push(event));
      } catch (err) {
        return err;
      }
    }
    return undefined;
  }
}
