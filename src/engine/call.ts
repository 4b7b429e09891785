/**
 * One request on its way through the pipeline: its record, its validated
 * request, the route it resolved to, and what its kind of call does at the
 * few points where kinds differ (how a target is reached, how a stream's
 * chunks are accounted, how it is cached). Steps see only this class; each
 * kind of call (./calls/*) is a small subclass.
 */
import type { ClientLink } from "../core/client-link.js";
import { signalLink } from "../core/client-link.js";
import type { GatewayError } from "../core/errors.js";
import type { ChatRequest } from "../core/types.js";
import type { CachedAnswer } from "../cache/index.js";
import { countRequestTokens } from "../cost/index.js";
import type { CallContext } from "../providers/types.js";
import type { CallOptions } from "./call-options.js";
import type { Outcome, Reply } from "./reply.js";
import type { RequestRecord } from "./request-record.js";
import type { Route } from "./router.js";
import { classify, estimatePromptTokens } from "./routing/request-class.js";
import type { RequestClass, TargetRef } from "./routing/types.js";
import { checkOperation, type Operation } from "./target-checks.js";

/** Work a step leaves for when the answer is complete; given the call, so steps need no closure per request. */
export type Deferred = (call: Call, outcome: Outcome) => void;

/** How a kind of call uses the response cache (chat, for now). */
export interface CallCaching {
  /** The request the cache keys on: as the client sent it, before the gateway's own upstream changes. */
  readonly request: ChatRequest;
  /** A cached answer as this call's reply (a value, or a replayed stream). */
  hit(answer: CachedAnswer): Reply;
  /** The cache will store this answer: keep what it needs while the answer passes. */
  keep(): void;
  /** The answer to store, once complete; undefined when it cannot be kept (too long a stream). */
  entry(): CachedAnswer | undefined;
}

export abstract class Call {
  /** The capability a target needs for this call. */
  abstract readonly operation: Operation;
  /** How this kind uses the response cache; undefined: it is not cached. */
  readonly caching: CallCaching | undefined = undefined;
  #deferred: Deferred[] | undefined;
  #estimatedTokens: number | undefined;
  #requestClass: RequestClass | undefined;

  constructor(
    readonly rec: RequestRecord,
    /** The validated request (with personal data replaced when privacy.redact.before_upstream). */
    readonly request: { model: string },
    readonly route: Route,
    readonly options: CallOptions,
    /** logging.bodies: the answer is kept for the log row. */
    readonly keepBodies: boolean,
  ) {}

  get stream(): boolean {
    return this.rec.stream;
  }

  /** The caller's link: the server's, else one over a library caller's AbortSignal (made once per request). */
  get client(): ClientLink | undefined {
    const o = this.options;
    if (o.client) return o.client;
    if (!o.signal) return undefined;
    o.client = signalLink(o.signal);
    return o.client;
  }

  /** The request's class for adaptive routing. */
  get requestClass(): RequestClass {
    return (this.#requestClass ??= classify(this.request, this.stream));
  }

  /**
   * Prompt plus maximum output tokens, reserved against token limits.
   * Counted with the real tokenizer when a tokens-per-minute limit will use
   * the number (the caller's key or team, or a target), estimated cheaply
   * (characters / 4) otherwise: tokenizing every prompt would put its cost
   * on every request.
   */
  get estimatedTokens(): number {
    if (this.#estimatedTokens !== undefined) return this.#estimatedTokens;
    const request = this.request as { messages?: unknown; max_tokens?: unknown; max_completion_tokens?: unknown };
    const route = this.route;
    const needsCount = Array.isArray(request.messages) && (this.options.subjects?.some((s) => s.limits.tpm) || route.targets.some((t) => t.tpm));
    const prompt = needsCount ? countRequestTokens(request as ChatRequest, route.targets[0]?.model ?? this.rec.model ?? "") : estimatePromptTokens(request);
    const out = typeof request.max_completion_tokens === "number" ? request.max_completion_tokens : typeof request.max_tokens === "number" ? request.max_tokens : 0;
    this.#estimatedTokens = prompt + out;
    return this.#estimatedTokens;
  }

  /** Runs `fn` when the answer is complete, after everything deferred later (inner steps first, like nested `finally`s). */
  defer(fn: Deferred): void {
    (this.#deferred ??= []).push(fn);
  }

  /** Runs the deferred work, last registered first; every piece runs even if one throws, and the first error is thrown after. */
  settle(outcome: Outcome): void {
    const deferred = this.#deferred;
    if (!deferred) return;
    this.#deferred = undefined;
    let failure: unknown;
    for (let i = deferred.length - 1; i >= 0; i--) {
      try {
        deferred[i]!(this, outcome);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Refuses a target that cannot serve this call (a 400 GatewayError) before anything is sent. */
  check(target: TargetRef): void {
    checkOperation(target, this.operation, this.rec.model);
  }

  /** The upstream call: a whole answer, or (streams) the stream opened and its first batch read, as PrimedBatches. */
  abstract send(target: TargetRef, ctx: CallContext): Promise<unknown>;

  /** A successful answer that should still move on (a content-filter refusal): the error to act on. */
  judge(_value: unknown, _route: Route): GatewayError | undefined {
    return undefined;
  }

  /** Tokens the answer used, once known, to settle a target's token reservation. */
  tokensUsed(_value: unknown): number | undefined {
    return undefined;
  }

  /** One chunk of a streamed answer as it passes (accounting); what the client gets of it, or undefined for nothing. */
  present(chunk: unknown): unknown {
    return chunk;
  }

  /** The answer is complete (a stream ended, however): its usage and what is logged of it are settled here. */
  complete(_reply: Reply | undefined): void {}
}
