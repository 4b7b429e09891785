/** Embeddings: vectors are not worth keeping in the log row. */
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/types.js";
import type { CallContext } from "../../providers/types.js";
import { Call } from "../call.js";
import type { TargetRef } from "../routing/types.js";

export class EmbeddingCall extends Call {
  readonly operation = "embeddings";

  async send(target: TargetRef, ctx: CallContext): Promise<EmbeddingResponse> {
    const res = await target.provider.embed!({ ...(this.request as EmbeddingRequest), model: target.model }, ctx);
    this.rec.used({ prompt_tokens: res.usage?.prompt_tokens ?? 0, completion_tokens: 0, total_tokens: res.usage?.total_tokens ?? 0 });
    this.rec.servedBy(res.model);
    return res;
  }

  override tokensUsed(value: unknown): number | undefined {
    return (value as EmbeddingResponse).usage?.total_tokens;
  }
}
