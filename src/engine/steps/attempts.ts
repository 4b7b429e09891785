/**
 * Routing and attempts, the innermost send: the plan (./attempt-planner.ts)
 * says which target to try next and when, each attempt is made by
 * runAttempt (./run-attempt.ts), and the answer's scope stays open until
 * the call settles (a stream keeps reading through it).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { COMMON_ERRORS } from "../../core/errors.js";
import type { Call } from "../call.js";
import type { CallScope } from "../call-scope.js";
import type { UpstreamLimiter } from "../health/types.js";
import type { EngineParts } from "../engine-parts.js";
import { planAttempts, type PlanInput, type PlannerDeps } from "../attempt-planner.js";
import type { Send } from "../pipeline.js";
import { runAttempt, type AttemptDeps } from "../run-attempt.js";
import { startAttemptSpan } from "../request-spans.js";

type Deps = PlannerDeps & AttemptDeps & { limiter: UpstreamLimiter };

export function attempts(parts: EngineParts): Send {
  const { metrics, health, stats, tracing } = parts;
  const deps: Deps = {
    router: parts.router,
    breakers: health.breakers,
    limiter: health.limiter,
    stats,
    timeoutsOf: (provider) => parts.timeoutsOf(provider),
    onSkip: (target) => metrics.attemptChild.get(target.provider.name, "skipped").inc(),
    onAttempt: (target, outcome) => metrics.attemptChild.get(target.provider.name, outcome).inc(),
    onRetry: (kind) => metrics.retries.inc({ kind }),
    scrub: (e) => parts.scrub(e),
    attemptSpan: (call, target) => startAttemptSpan(tracing, call.rec, target),
  };
  const retryDefaults = parts.config.routing.retry;
  // Follows the plan until an attempt succeeds; the plan throws the error to answer with when none can.
  return async (call) => {
    const rec = call.rec;
    const model = call.route.model;
    const retry = model?.retry ? { ...retryDefaults, ...model.retry } : retryDefaults;
    const deadline = Date.now() + Math.min(retry.budget_ms, call.options.timeoutMs ?? Infinity);
    const plan = planAttempts(deps, {
      model: rec.model ?? "",
      cls: call.requestClass,
      estimatedTokens: call.estimatedTokens,
      retry,
      deadline,
      check: (target) => call.check(target),
      movedOn: (next) => rec.movedOn(next),
      call,
    });
    let input: PlanInput;
    for (;;) {
      const step = plan.next(input).value;
      input = undefined;
      if (step.kind === "acquire") {
        input = await deps.limiter.tryAcquire(step.target.key, { rpm: step.target.rpm, tpm: step.target.tpm }, step.tokens);
      } else if (step.kind === "wait") {
        await waitFor(step.ms, call);
      } else {
        const result = await runAttempt(deps, call, step, deadline);
        if (!result.ok) {
          input = result.error;
          continue;
        }
        call.defer(closeScope(result.scope));
        return call.stream ? { kind: "stream", batches: result.value as AsyncIterator<unknown[]> } : { kind: "value", value: result.value };
      }
    }
  };
}

const closeScope = (scope: CallScope) => (): void => scope.dispose();

/** A backoff before the same target again; the client leaving ends it (and the request). */
async function waitFor(ms: number, call: Call): Promise<void> {
  const client = call.client;
  try {
    await sleep(ms, undefined, client ? { signal: client.signal() } : undefined);
  } catch {
    throw COMMON_ERRORS.clientClosed();
  }
}
