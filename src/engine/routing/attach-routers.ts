/**
 * Start-up for `learned` and `cascade` models: each model's router file is
 * read (its path relative to the working directory), its models matched to
 * the model's targets, and the route's strategy replaced by one that uses
 * it. One feedback channel serves them all (with Redis, shared by every
 * instance). A file that cannot be read or matched stops start-up, naming
 * the model and the file.
 */
import { resolve } from "node:path";
import type { Config } from "../../config/schema.js";
import { usdOf, type PriceCatalogue } from "../../cost/index.js";
import { readRouterFile } from "../../router/router-file.js";
import { RouterModel } from "../../router/router-model.js";
import type { Metrics } from "../../telemetry/metrics.js";
import type { Router } from "../router.js";
import { cascadeStrategy } from "./cascade.js";
import { learnedStrategy, type LearnedStrategy } from "./learned.js";
import { planTargets } from "./learned-targets.js";
import { RouterFeedback } from "./router-feedback.js";
import type { TargetRef } from "./types.js";

export interface AttachDeps {
  config: Config;
  router: Router;
  catalogue: PriceCatalogue;
  metrics: Metrics;
  onError?: (err: unknown) => void;
}

/** Typical request for comparing prices: 500 tokens in, 250 out. */
const TYPICAL = { prompt_tokens: 500, completion_tokens: 250, total_tokens: 750 };

/** Throws one message per model that cannot be set up; returns the feedback channel (undefined when no model learns). */
export function attachRouters(deps: AttachDeps): RouterFeedback | undefined {
  const { config, router, catalogue, metrics } = deps;
  const models = Object.entries(config.models).filter(([, m]) => m.strategy === "learned" || m.strategy === "cascade");
  if (!models.length) return undefined;
  const feedback = models.some(([, m]) => m.router)
    ? new RouterFeedback({ redisUrl: config.redis?.url, prefix: config.redis?.prefix, onError: deps.onError })
    : undefined;
  const priceOf = (t: TargetRef): number | undefined => {
    if (t.price) return (TYPICAL.prompt_tokens * t.price.input + TYPICAL.completion_tokens * t.price.output) / 1e6;
    return usdOf(TYPICAL, t.priceModel ?? t.model, catalogue, t.provider.name);
  };
  const costOf = (t: TargetRef, answer: unknown): number | null => {
    const a = answer as { usage?: { prompt_tokens?: number; completion_tokens?: number }; model?: unknown } | null;
    if (!a?.usage) return null;
    for (const m of [t.priceModel, typeof a.model === "string" ? a.model : undefined, t.model]) {
      if (m === undefined) continue;
      const usd = usdOf(a.usage, m, catalogue, t.provider.name);
      if (usd !== undefined) return usd;
    }
    return null;
  };
  const problems: string[] = [];
  for (const [name, m] of models) {
    const route = router.resolve(name);
    let learned: LearnedStrategy | undefined;
    let model: RouterModel | undefined;
    if (m.router) {
      try {
        const file = readRouterFile(resolve(process.cwd(), m.router.file));
        model = new RouterModel(file);
        const plan = planTargets(file.models.map((x) => x.name), route.targets, priceOf);
        learned = learnedStrategy({
          route: name, model, plan, quality: m.router.quality, ...(feedback ? { feedback } : {}),
          observe: (r, target, score) => metrics.routeScore.observe({ model: r, target: target.key }, score),
        });
      } catch (err) {
        problems.push(`models.${name}.router: ${(err as Error).message}`);
        continue;
      }
    }
    route.strategy = m.strategy === "learned"
      ? learned!
      : cascadeStrategy({ ...(model ? { model } : {}), ...(learned ? { learned } : {}), ...(m.router ? { quality: m.router.quality } : {}), costOf });
  }
  if (problems.length) {
    void feedback?.close();
    throw new Error(problems.join("\n"));
  }
  return feedback;
}
