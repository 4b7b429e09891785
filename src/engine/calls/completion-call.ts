/** Legacy text completions, whole and streamed. */
import { batchesOf } from "../../core/batched.js";
import type { CompletionChunk, CompletionRequest, CompletionResponse, Usage } from "../../core/types.js";
import { estimateCompletionUsage, forClient, withUpstreamUsage } from "../../cost/index.js";
import type { CallContext } from "../../providers/types.js";
import { Call } from "../call.js";
import { PrimedBatches, type Reply } from "../reply.js";
import type { TargetRef } from "../routing/types.js";

export class CompletionCall extends Call {
  readonly operation = "completions";

  async send(target: TargetRef, ctx: CallContext): Promise<CompletionResponse> {
    const res = await target.provider.completions!({ ...(this.request as CompletionRequest), model: target.model, stream: false }, ctx);
    this.rec.used(res.usage);
    this.rec.servedBy(res.model);
    return res;
  }

  override tokensUsed(value: unknown): number | undefined {
    return (value as CompletionResponse).usage?.total_tokens;
  }

  override complete(reply: Reply | undefined): void {
    if (this.keepBodies && reply?.kind === "value") this.rec.answered(reply.value);
  }
}

export class CompletionStreamCall extends Call {
  readonly operation = "completions";
  #text = "";
  #usage: Usage | undefined;
  /** Usage is always asked for upstream (cost needs it); the client sees it only if it asked. */
  readonly #upstream: CompletionRequest;
  readonly #clientWantsUsage: boolean;

  constructor(...args: ConstructorParameters<typeof Call>) {
    super(...args);
    const { request, clientWantsUsage } = withUpstreamUsage(this.request as CompletionRequest);
    this.#upstream = request;
    this.#clientWantsUsage = clientWantsUsage;
  }

  async send(target: TargetRef, ctx: CallContext): Promise<PrimedBatches<CompletionChunk>> {
    const batches = batchesOf(await target.provider.completionsStream!({ ...this.#upstream, model: target.model, stream: true }, ctx));
    return new PrimedBatches(await batches.next(), batches);
  }

  override present(chunk: unknown): unknown {
    const c = chunk as CompletionChunk;
    if (c.usage) {
      this.#usage = c.usage;
      this.rec.servedBy(c.model);
    }
    this.#text += c.choices?.[0]?.text ?? "";
    return forClient(c, this.#clientWantsUsage);
  }

  override complete(): void {
    const rec = this.rec;
    rec.used(this.#usage ?? (rec.upstreamModel ? estimateCompletionUsage((this.request as CompletionRequest).prompt, this.#text, rec.upstreamModel) : undefined));
    rec.answered(this.keepBodies ? { text: this.#text } : null);
  }
}
