/**
 * Chat completions, whole and streamed: the request as each target gets it
 * (checked against its capabilities first), the usage and finish reasons as
 * they come back, and how answers are cached and replayed.
 */
import type { GatewayError } from "../../core/errors.js";
import type { ChatChunk, ChatRequest, ChatResponse } from "../../core/types.js";
import { batchesOf } from "../../core/batched.js";
import { answerFromChunks, answerFromResponse, replayChunks, responseOf, type CachedAnswer } from "../../cache/index.js";
import { forClient, StreamUsageEstimator, withUpstreamUsage } from "../../cost/index.js";
import type { CallContext } from "../../providers/types.js";
import { NOOP_SPAN } from "../../telemetry/tracing.js";
import { Call, type CallCaching } from "../call.js";
import type { CallOptions } from "../call-options.js";
import { PrimedBatches, type Reply } from "../reply.js";
import type { RequestRecord } from "../request-record.js";
import type { Route } from "../router.js";
import type { TargetRef } from "../routing/types.js";
import { StreamAccumulator } from "../stream-accumulator.js";
import { contentRefusal, preparedChat } from "../target-checks.js";

/** Beyond this many chunks a stream is not kept for the cache (its entry would exceed any sane size anyway). */
const MAX_CACHED_CHUNKS = 20_000;

const identityOf = (rec: RequestRecord) => ({ provider: rec.provider ?? "", upstreamModel: rec.upstreamModel ?? "", costUsd: rec.costUsd });

export class ChatCall extends Call {
  readonly operation = "chat";
  override readonly caching: CallCaching | undefined;
  readonly #prepared: ReturnType<typeof preparedChat>;
  #kept: ChatResponse | undefined;
  #keep = false;

  constructor(rec: RequestRecord, request: ChatRequest, route: Route, options: CallOptions, keepBodies: boolean, cached: boolean) {
    super(rec, request, route, options, keepBodies);
    this.#prepared = preparedChat(request, false);
    this.caching = cached ? {
      request,
      hit: (answer) => ({ kind: "value", value: responseOf(answer) }),
      keep: () => { this.#keep = true; },
      entry: () => (this.#kept ? answerFromResponse(this.#kept, identityOf(this.rec)) : undefined),
    } : undefined;
  }

  override check(target: TargetRef): void {
    super.check(target);
    this.#prepared.check(target);
  }

  async send(target: TargetRef, ctx: CallContext): Promise<ChatResponse> {
    const res = await target.provider.chat(this.#prepared.for(target), ctx);
    this.rec.used(res.usage);
    this.rec.servedBy(res.model);
    if (this.rec.span !== NOOP_SPAN) this.rec.finishedWith(res.choices?.map((c) => c.finish_reason ?? "").filter(Boolean));
    return res;
  }

  override judge(value: unknown, route: Route): GatewayError | undefined {
    return contentRefusal(value as ChatResponse, route);
  }

  override tokensUsed(value: unknown): number | undefined {
    return (value as ChatResponse).usage?.total_tokens;
  }

  override complete(reply: Reply | undefined): void {
    if (reply?.kind !== "value") return;
    if (this.keepBodies) this.rec.answered(reply.value);
    if (this.#keep) this.#kept = reply.value as ChatResponse;
  }
}

export class ChatStreamCall extends Call {
  readonly operation = "chat";
  override readonly caching: CallCaching | undefined;
  readonly #prepared: ReturnType<typeof preparedChat>;
  readonly #acc: StreamAccumulator;
  readonly #usage = new StreamUsageEstimator();
  readonly #clientWantsUsage: boolean;
  /** The canonical chunks as they came (usage included), kept for the cache on a miss. */
  #kept: ChatChunk[] | undefined;

  constructor(rec: RequestRecord, request: ChatRequest, route: Route, options: CallOptions, keepBodies: boolean, cached: boolean) {
    super(rec, request, route, options, keepBodies);
    this.#acc = new StreamAccumulator(keepBodies);
    // Usage is always asked for upstream (cost needs it); the client sees it only if it asked.
    const { request: upstream, clientWantsUsage } = withUpstreamUsage(request);
    this.#clientWantsUsage = clientWantsUsage;
    this.#prepared = preparedChat(upstream, true);
    this.caching = cached ? {
      request,
      hit: (answer: CachedAnswer) => {
        const chunks = replayChunks(answer);
        return { kind: "stream", batches: new PrimedBatches(chunks.length ? { done: false, value: chunks } : { done: true, value: undefined }, DONE) };
      },
      keep: () => { this.#kept = []; },
      // Only a stream that ended cleanly is kept (isComplete() also checks every choice finished).
      entry: () => (this.#kept ? answerFromChunks(this.#kept, identityOf(this.rec)) : undefined),
    } : undefined;
  }

  override check(target: TargetRef): void {
    super.check(target);
    this.#prepared.check(target);
  }

  async send(target: TargetRef, ctx: CallContext): Promise<PrimedBatches<ChatChunk>> {
    const batches = batchesOf(await target.provider.chatStream(this.#prepared.for(target), ctx));
    return new PrimedBatches(await batches.next(), batches);
  }

  override present(chunk: unknown): unknown {
    const c = chunk as ChatChunk;
    const kept = this.#kept;
    if (kept) {
      if (kept.length < MAX_CACHED_CHUNKS) kept.push(c);
      else this.#kept = undefined;
    }
    this.#acc.add(c);
    this.#usage.add(c);
    // The usage chunk names the model too, and is never left unparsed: no parse for this.
    if (c.usage) this.rec.servedBy(c.model);
    if (this.rec.span !== NOOP_SPAN && c.choices) {
      for (const choice of c.choices) if (choice.finish_reason) this.rec.sawFinishReasons([choice.finish_reason]);
    }
    return forClient(c, this.#clientWantsUsage);
  }

  override complete(): void {
    const rec = this.rec;
    // A replayed answer billed nothing: no tokens, no cost (what it saved is in the log row).
    rec.used(rec.fromCache ? undefined : rec.upstreamModel ? this.#usage.usage(this.request as ChatRequest, rec.upstreamModel) : this.#acc.usage);
    rec.answered(this.keepBodies ? this.#acc.toResponse() : null);
  }
}

/** An iterator that is already at its end (a replay has nothing after its one batch). */
const DONE: AsyncIterator<never[]> = { next: () => Promise.resolve({ done: true, value: undefined }) };
