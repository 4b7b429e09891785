/**
 * `learned`: a trained router (src/router, `liaison router train`) scores
 * the prompt, and the request goes to the cheapest target expected to keep
 * `router.quality` of the strongest target's quality over all traffic; the
 * other targets follow as fallbacks, strongest first.
 *
 * With two targets: the weak one when the score is below the router file's
 * threshold for that quality, else the strong one. With more, a ladder:
 * the file's weaker models, cheapest target first, each with its own score
 * and threshold; the first whose score is below its threshold takes the
 * prompt, else the strongest (learned-targets.ts says which target stands
 * for which model). The score recorded (x-liaison-route-score, the log row,
 * `liaison_route_score`) is the cheapest rung's: the need to leave the
 * cheapest model.
 *
 * Feedback on a request (POST /v1/feedback) teaches the router's kNN
 * memory, on every instance (router-feedback.ts), without a restart.
 */
import type { RouterModel } from "../../router/router-model.js";
import type { SparseVector } from "../../router/sparse.js";
import type { TargetPlan } from "./learned-targets.js";
import { promptText } from "./prompt-text.js";
import { PendingPrompts, type ExampleMessage, type FeedbackMessage, type Learner, type RouterFeedback } from "./router-feedback.js";
import type { RoutedCall, Strategy, TargetRef } from "./types.js";

export interface LearnedOptions {
  route: string;
  model: RouterModel;
  plan: TargetPlan;
  quality: number;
  feedback?: RouterFeedback;
  /** The chosen target and the score, for the metrics. */
  observe?(route: string, target: TargetRef, score: number): void;
}

/** What the strategy decided for one prompt. */
export interface LearnedPick {
  target: TargetRef;
  /** The cheapest rung's score. */
  score: number;
  query: SparseVector;
}

export interface LearnedStrategy extends Strategy, Learner {
  /** Routes one call (the order's first target and what it was chosen on). */
  pick(call: RoutedCall): LearnedPick;
  /** Feedback on a request this route served: false when nothing could be learnt (no instance remembers it, or its target stands for no model). */
  feedback(f: { requestId: string; served: string; score: number }): Promise<boolean>;
}

export function learnedStrategy(o: LearnedOptions): LearnedStrategy {
  const { model, plan } = o;
  const thresholds = model.thresholds(o.quality, plan.allRungs);
  const pending = new PendingPrompts<SparseVector>();
  const first = plan.rungs[0]!.rung;

  const pick = (call: RoutedCall): LearnedPick => {
    const { scores, query } = model.score(promptText(call.request));
    let target = plan.strong[0]!;
    for (const r of plan.rungs) {
      if (scores[r.rung]! < thresholds[r.rung]!) {
        target = r.targets[0]!;
        break;
      }
    }
    return { target, score: scores[first]!, query };
  };

  const strategy: LearnedStrategy = {
    name: "learned",
    pick,
    order(targets, ctx) {
      const call = ctx.call;
      // Not this route's own list (cannot happen through the router), or nothing to read: strongest first.
      if (!call || targets.length < 2) return plan.qualityOrder.slice();
      const p = pick(call);
      call.rec.routed(p.score, p.target.key);
      pending.remember(call.rec.requestId, p.query);
      o.observe?.(o.route, p.target, p.score);
      const out = [p.target];
      for (const t of plan.qualityOrder) if (t !== p.target) out.push(t);
      return out;
    },
    example(f: FeedbackMessage): ExampleMessage | undefined {
      const query = pending.get(f.requestId);
      const served = plan.modelOf.get(f.served);
      if (!query || served === undefined) return undefined;
      const labels = model.labelsFor(served, f.score);
      return { kind: "example", route: o.route, idx: Array.from(query.idx), val: Array.from(query.val), labels: labels.map((l) => (Number.isNaN(l) ? null : l)) };
    },
    learn(e: ExampleMessage): void {
      model.learn({ idx: Int32Array.from(e.idx), val: Float64Array.from(e.val) }, e.labels.map((l) => (l === null ? Number.NaN : l)));
    },
    async feedback(f) {
      if (!o.feedback) {
        const e = strategy.example({ kind: "feedback", route: o.route, ...f });
        if (e) strategy.learn(e);
        return e !== undefined;
      }
      return o.feedback.submit({ route: o.route, ...f });
    },
  };
  o.feedback?.register(o.route, strategy);
  return strategy;
}
