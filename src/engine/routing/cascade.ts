/**
 * `cascade`: the targets in list order, cheapest first. Each answer is
 * judged, and a doubtful one sends the request on to the next target; the
 * last target's answer is taken whatever it is, and so is an answer whose
 * stronger targets then failed (the cascade does not turn a usable answer
 * into an error). The client gets one answer; the log row has every
 * attempt and the cost of every call (x-liaison-attempts counts them).
 *
 * Doubtful: cut off (finish_reason "length"), empty (no text, no tool
 * calls), a refusal ("I'm sorry, I can't…", finish_reason
 * "content_filter"), and — with a router file holding a judge — the judge's
 * escalation score at or above its threshold for `router.quality`. The
 * judge reads the answer's features (arithmetic rechecked, a final answer
 * given or not, hedges, …), the prompt's and the router's score for the
 * prompt (src/router/train-judge.ts).
 *
 * Streams are not buffered to be judged (that would cost the client its
 * first token): a stream is routed before any call, as `learned` routes it
 * when the model has a router file, else to the first target.
 */
import { GatewayError } from "../../core/errors.js";
import type { RouterModel } from "../../router/router-model.js";
import type { LearnedStrategy } from "./learned.js";
import { answerText, promptText } from "./prompt-text.js";
import type { JudgeContext, RoutedCall, Strategy, TargetRef } from "./types.js";

export interface CascadeOptions {
  /** The router file's model and the learned strategy over it (streams, the score); absent: the judge's plain rules only. */
  model?: RouterModel;
  learned?: LearnedStrategy;
  quality?: number;
  /** USD of an answer from a target (what the escalated-from call cost); null when unpriced. */
  costOf?(target: TargetRef, answer: unknown): number | null;
}

const REFUSAL = /^\s*(?:i(?:'m| am) sorry|i cannot|i can't|i am unable|i'm unable|as an ai\b|unfortunately,? i (?:can't|cannot))/i;

/** Why an answer is doubtful, or undefined when it is not. */
export function doubtOf(answer: unknown, judge?: (text: string, finishReason: string | null) => boolean): string | undefined {
  const a = answerText(answer);
  if (!a) return undefined;
  if (a.finishReason === "length") return "cut off";
  if (a.finishReason === "content_filter") return "refused";
  if (a.toolCalls) return undefined;
  if (!a.text.trim()) return "empty";
  if (REFUSAL.test(a.text)) return "refused";
  if (judge?.(a.text, a.finishReason)) return "low confidence";
  return undefined;
}

export function cascadeStrategy(o: CascadeOptions = {}): Strategy {
  const { model, learned } = o;
  const threshold = model && o.quality !== undefined ? model.judgeThreshold(o.quality) : undefined;
  /** The pre-call score of calls in flight, for the judge (kept on the record's identity, gone with it). */
  const precall = new WeakMap<object, number>();

  const judgeOf = (call: RoutedCall) => {
    if (!model || threshold === undefined) return undefined;
    return (text: string, finishReason: string | null) => {
      const prompt = promptText(call.request);
      const before = precall.get(call.rec) ?? model.score(prompt).scores[0]!;
      return (model.judge(prompt, text, finishReason, before) ?? 0) >= threshold;
    };
  };

  return {
    name: "cascade",
    // Feedback teaches the router's memory as for `learned` (the feedback route looks for this method).
    ...(learned ? { feedback: learned.feedback } : {}),
    order(targets, ctx) {
      const call = ctx.call;
      if (!call || !learned) return targets.slice();
      const p = learned.pick(call);
      call.rec.routed(p.score, call.stream ? p.target.key : targets[0]!.key);
      if (!call.stream) {
        precall.set(call.rec, p.score);
        return targets.slice();
      }
      const out = [p.target];
      for (const t of targets) if (t !== p.target) out.push(t);
      return out;
    },
    judge(answer: unknown, ctx: JudgeContext): GatewayError | undefined {
      const { call, target, targets } = ctx;
      if (call.stream || target === targets[targets.length - 1]) return undefined;
      const doubt = doubtOf(answer, judgeOf(call));
      if (!doubt) return undefined;
      // Once escalated from this target, its stronger targets failed: its answer is better than none.
      if (!call.rec.escalated(target.key, o.costOf?.(target, answer) ?? null)) return undefined;
      // 409: not the target's fault (no breaker, no error rate), not the client's (retried elsewhere at once).
      return new GatewayError("upstream_error", `The answer of ${target.key} was judged doubtful (${doubt}); asking the next target.`, { status: 409, retryable: true, clientCode: "answer_doubtful" });
    },
  };
}
