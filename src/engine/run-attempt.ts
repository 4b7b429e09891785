/**
 * One upstream attempt, with everything it is accountable for: the call's
 * scope (the client's departure and the total timeout cancel it), its span,
 * the target's live stats and circuit breaker, its upstream-limit
 * reservation, and its entry in the request's attempt log.
 */
import { toGatewayError, type GatewayError } from "../core/errors.js";
import type { Timeouts } from "../providers/types.js";
import type { SpanHandle } from "../telemetry/tracing.js";
import type { Call } from "./call.js";
import { openCallScope, type CallScope } from "./call-scope.js";
import type { CircuitBreakers, UpstreamLimiter } from "./health/types.js";
import type { Route } from "./router.js";
import { countsAgainstTarget } from "./retry-policy.js";
import type { LiveTargetStats } from "./routing/target-stats.js";
import type { TargetRef } from "./routing/types.js";

export interface AttemptDeps {
  breakers: Pick<CircuitBreakers, "record">;
  limiter: Pick<UpstreamLimiter, "settle">;
  stats: LiveTargetStats;
  timeoutsOf(provider: string): Timeouts;
  onAttempt?(target: TargetRef, outcome: "ok" | "error" | "skipped", err?: GatewayError): void;
  /** Removes configured provider credentials from an upstream error's text before anyone sees it. */
  scrub?(e: GatewayError): void;
  /** A child span of the request's for one attempt (undefined when there is no trace). */
  attemptSpan?(call: Call, target: TargetRef): SpanHandle | undefined;
}

export interface Attempt {
  target: TargetRef;
  /** The route being tried (a fallback's, after the first model): what judge() reads. */
  route: Route;
  /** Tokens reserved against the target's upstream limit, settled here. */
  reserved: number;
}

export type AttemptResult =
  /** `scope` stays open until the caller is done with the value (a stream keeps reading through it). */
  | { ok: true; value: unknown; scope: CallScope }
  | { ok: false; error: GatewayError };

export async function runAttempt(deps: AttemptDeps, call: Call, attempt: Attempt, deadline: number): Promise<AttemptResult> {
  const { target, reserved } = attempt;
  const rec = call.rec;
  rec.attempted(target);
  let timeouts = deps.timeoutsOf(target.provider.name);
  const remaining = deadline - Date.now();
  if (remaining < timeouts.totalMs) timeouts = { ...timeouts, totalMs: Math.max(1, remaining), firstByteMs: Math.min(timeouts.firstByteMs, Math.max(1, remaining)) };
  const scope = openCallScope(rec.requestId, timeouts, call.client);
  const span = deps.attemptSpan?.(call, target);
  // W3C trace context: the upstream sees this attempt as its parent.
  const traceparent = span?.traceparent();
  if (traceparent) scope.ctx.headers = { traceparent };
  // Client headers for one protocol's upstreams (anthropic-beta): the adapter of that type picks its own.
  if (call.options.providerHeaders) scope.ctx.providerHeaders = call.options.providerHeaders;
  const started = performance.now();
  deps.stats.start(target.key);
  try {
    const value = await call.send(target, scope.ctx);
    const strategy = attempt.route.strategy;
    // A cascade may still move on from a good answer; other strategies have no judge and pay nothing here.
    const refusal = call.judge(value, attempt.route) ?? strategy.judge?.(value, { target, targets: attempt.route.targets, call });
    if (refusal) throw refusal;
    const latencyMs = performance.now() - started;
    deps.stats.finish(target.key, call.requestClass, { ok: true, latencyMs });
    deps.breakers.record(target.key, true);
    if (reserved) deps.limiter.settle(target.key, reserved, call.tokensUsed(value) ?? reserved);
    rec.loggedAttempt({ provider: target.provider.name, model: target.model, status: 200, latency_ms: round(latencyMs), error: null });
    rec.answeredBy(span); // ended once the answer is complete (a stream's usage comes last)
    deps.onAttempt?.(target, "ok");
    return { ok: true, value, scope };
  } catch (err) {
    scope.dispose();
    const e = toGatewayError(err);
    deps.scrub?.(e);
    const latencyMs = performance.now() - started;
    // Only the target's own failures teach the stats and the breaker; a client's mistake or departure does not.
    if (countsAgainstTarget(e)) {
      deps.stats.finish(target.key, call.requestClass, { ok: false, latencyMs });
      deps.breakers.record(target.key, false);
    } else {
      deps.stats.release(target.key);
    }
    if (reserved) deps.limiter.settle(target.key, reserved, 0);
    if (span) {
      span.fail({ code: e.clientCode ?? e.code, message: e.message, status: e.status });
      span.end();
    }
    deps.onAttempt?.(target, "error", e);
    rec.loggedAttempt({ provider: target.provider.name, model: target.model, status: e.status, latency_ms: round(latencyMs), error: `${e.clientCode ?? e.code}: ${e.message}`.slice(0, 500) });
    return { ok: false, error: e };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
