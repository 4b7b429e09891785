/**
 * Admission: the caller's key and team (authentication already happened)
 * must allow the model, have budget left and be within their limits. The
 * budget is checked first (a request refused on budget uses no rpm), then
 * one atomic reservation of rpm, tpm and a parallel slot on every subject;
 * when the answer is complete both are settled to what it used.
 */
import { usdOf } from "../../cost/index.js";
import type { Call } from "../call.js";
import type { EngineParts } from "../engine-parts.js";
import type { Send, Step } from "../pipeline.js";
import type { Outcome } from "../reply.js";
import { budgetError, limitError, modelAllowed, modelNotAllowedError } from "../quotas/index.js";

export function admission(parts: EngineParts): Step {
  // Without subjects (the admin key, dev mode, library calls) there is nothing to admit: no promise, no closure.
  return (next) => (call) => (call.options.subjects?.length ? admit(parts, call, next) : next(call));
}

async function admit(parts: EngineParts, call: Call, next: Send): ReturnType<Send> {
  const rec = call.rec;
  const subjects = call.options.subjects!;
  const model = rec.model ?? "";
  for (const s of subjects) if (!modelAllowed(s.limits, model)) throw modelNotAllowedError(s.id, model);
  const estimatedTokens = call.estimatedTokens;
  const priced = call.route.targets[0];
  const estimateUsd = priced ? usdOf({ prompt_tokens: estimatedTokens, completion_tokens: 0, total_tokens: estimatedTokens }, priced.priceModel ?? priced.model, parts.catalogue, priced.provider.name) ?? 0 : 0;
  const budget = await parts.quotas.budgets.check(subjects, estimateUsd);
  if (!budget.ok) throw budgetError(budget);
  const admission = await parts.quotas.gate.admit(subjects, estimatedTokens);
  if (!admission.ok) {
    budget.settle(0);
    throw limitError(admission);
  }
  rec.limitedBy(admission.headers as unknown as Record<string, string>);
  call.defer((c: Call, _outcome: Outcome) => {
    admission.release(c.rec.usage?.total_tokens ?? 0);
    budget.settle(c.rec.costUsd ?? 0);
  });
  return next(call);
}
