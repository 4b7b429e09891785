/**
 * The attempt loop (issue 4): one request, several upstream attempts.
 *
 *   for each model in the chain (the route, then its fallbacks):
 *     for each target in the strategy's order (cycling while attempts remain):
 *       skip it if its circuit is open or it is at its upstream limit;
 *       attempt; success → done.
 *       non-retryable → context-window / content-policy fallback chain, or fail;
 *       retryable → next target at once, or the same target after a backoff
 *       (exponential, full jitter, Retry-After honoured up to a cap).
 *
 * Bounded by the retry policy's attempt count and time budget. Every attempt
 * is recorded (log row, breaker, stats, metrics).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GatewayError, toGatewayError } from "../core/errors.js";
import type { CallContext, Timeouts } from "../providers/types.js";
import type { RetryConfig } from "./retry-policy.js";
import { backoffMs, isContentPolicyError, isContextWindowError, countsAgainstTarget } from "./retry-policy.js";
import { openCallScope, type CallScope } from "./call-scope.js";
import type { ClientLink } from "../core/client-link.js";
import type { RequestRecord } from "./request-record.js";
import type { Route, Router } from "./router.js";
import type { CircuitBreakers, UpstreamLimiter } from "./health/types.js";
import type { LiveTargetStats } from "./routing/target-stats.js";
import type { RequestClass, TargetRef } from "./routing/types.js";
import type { SpanHandle } from "../telemetry/tracing.js";

export interface AttemptDeps {
  router: Router;
  breakers: CircuitBreakers;
  limiter: UpstreamLimiter;
  stats: LiveTargetStats;
  timeoutsOf(provider: string): Timeouts;
  onAttempt?(target: TargetRef, outcome: "ok" | "error" | "skipped", err?: GatewayError): void;
  onRetry?(kind: "retry" | "fallback" | "context_window_fallback" | "content_policy_fallback"): void;
  /** Removes configured provider credentials from an upstream error's text before anyone sees it. */
  scrub?(e: GatewayError): void;
  /** A child span of the request's for one attempt (undefined when there is no trace). */
  attemptSpan?(rec: RequestRecord, target: TargetRef): SpanHandle | undefined;
}

export interface AttemptRequest<T> {
  rec: RequestRecord;
  cls: RequestClass;
  /** Estimated tokens (prompt + max output), reserved against a target's tpm. */
  estimatedTokens: number;
  /** The caller: when it goes away, the attempt in flight is cancelled. */
  client?: ClientLink;
  /** Per-request total time (x-liaison-timeout-ms). */
  timeoutMs?: number;
  retry: RetryConfig;
  /** Refuses a target that cannot serve this request (throws a 400 GatewayError). */
  check(target: TargetRef): void;
  run(target: TargetRef, ctx: CallContext): Promise<T>;
  /** A successful answer that should still move on (e.g. a content-filter refusal); returns the error to act on. */
  judge?(value: T, route: Route): GatewayError | undefined;
  /** Actual tokens used, once known, to settle the tpm reservation. */
  tokensUsed?(value: T): number | undefined;
}

export interface AttemptResult<T> {
  value: T;
  target: TargetRef;
  /** Open until the caller is done with the value (streams keep reading through it). */
  scope: CallScope;
}

export async function runAttempts<T>(deps: AttemptDeps, req: AttemptRequest<T>): Promise<AttemptResult<T>> {
  const { rec, retry } = req;
  const started = Date.now();
  const deadline = started + Math.min(retry.budget_ms, req.timeoutMs ?? Infinity);
  const chain: string[] = [rec.model ?? ""];
  const queued = new Set(chain);
  let lastError: GatewayError | undefined;
  let skipped = 0;

  const enqueue = (models: readonly string[]) => {
    for (const m of models) if (!queued.has(m)) { queued.add(m); chain.push(m); }
  };

  for (let c = 0; c < chain.length; c++) {
    const route: Route = deps.router.resolve(chain[c]!);
    if (c === 0 && route.model) enqueue(route.model.fallbacks);
    const order = route.strategy.order(route.targets, { route: route.name, cls: req.cls, stats: deps.stats });
    let jumped = false;
    let lastTarget: TargetRef | undefined;
    let unusable = 0;
    let triedHere = 0;
    let openCircuits = 0;
    // Panic mode (Envoy's term): when every circuit of the last model is open,
    // one attempt goes through anyway — better a likely failure than a certain one.
    let ignoreBreakers = false;

    for (let i = 0; rec.attempts < retry.max_attempts; i++) {
      if (unusable >= order.length) {
        if (triedHere > 0 || openCircuits < order.length || ignoreBreakers || c + 1 < chain.length) break;
        ignoreBreakers = true;
        unusable = 0;
        i = 0;
      }
      // One pass over this model's targets, then its fallbacks; the same targets
      // are tried again (after a backoff) only when no other model is left.
      if (i >= order.length && c + 1 < chain.length) break;
      const target = order[i % order.length]!;
      if (i >= order.length && i % order.length === 0) unusable = 0; // a new pass over the targets
      // The pure check first: allow() may hand out a half-open probe slot, which must not be wasted.
      try {
        req.check(target);
      } catch (err) {
        lastError = toGatewayError(err);
        unusable++;
        continue;
      }
      if (!ignoreBreakers && !deps.breakers.allow(target.key)) {
        unusable++;
        openCircuits++;
        skipped++;
        deps.onAttempt?.(target, "skipped");
        continue;
      }
      const reserved = target.rpm || target.tpm ? req.estimatedTokens : 0;
      if (reserved || target.rpm) {
        const ok = await deps.limiter.tryAcquire(target.key, { rpm: target.rpm, tpm: target.tpm }, reserved);
        if (!ok) {
          unusable++;
          skipped++;
          deps.onAttempt?.(target, "skipped");
          continue;
        }
      }

      // The same target again (only one left, or a second pass): back off first.
      if (lastTarget === target && lastError) {
        const wait = backoffMs(retry, rec.attempts, lastError.retryAfter);
        if (wait === undefined || Date.now() + wait >= deadline) break;
        try {
          await sleep(wait, undefined, req.client ? { signal: req.client.signal() } : undefined);
        } catch {
          throw new GatewayError("client_closed", "The client closed the request.", { retryable: false });
        }
      }
      if (Date.now() >= deadline && rec.attempts > 0) break;

      rec.attempts++;
      triedHere++;
      rec.provider = target.provider.name;
      rec.upstreamModel = target.model;
      let timeouts = deps.timeoutsOf(target.provider.name);
      const remaining = deadline - Date.now();
      if (remaining < timeouts.totalMs) timeouts = { ...timeouts, totalMs: Math.max(1, remaining), firstByteMs: Math.min(timeouts.firstByteMs, Math.max(1, remaining)) };
      const scope = openCallScope(rec.requestId, timeouts, req.client);
      const span = deps.attemptSpan?.(rec, target);
      // W3C trace context: the upstream sees this attempt as its parent.
      const traceparent = span?.traceparent();
      if (traceparent) scope.ctx.headers = { traceparent };
      const attemptStart = performance.now();
      deps.stats.start(target.key);
      try {
        const value = await req.run(target, scope.ctx);
        const refusal = req.judge?.(value, route);
        if (refusal) throw refusal;
        const latencyMs = performance.now() - attemptStart;
        deps.stats.finish(target.key, req.cls, { ok: true, latencyMs });
        deps.breakers.record(target.key, true);
        if (reserved) deps.limiter.settle(target.key, reserved, req.tokensUsed?.(value) ?? reserved);
        rec.attemptLog.push({ provider: target.provider.name, model: target.model, status: 200, latency_ms: round(latencyMs), error: null });
        rec.attemptSpan = span; // ended by the engine once the answer is complete (a stream's usage comes last)
        deps.onAttempt?.(target, "ok");
        return { value, target, scope };
      } catch (err) {
        scope.dispose();
        const e = toGatewayError(err);
        deps.scrub?.(e);
        const latencyMs = performance.now() - attemptStart;
        // Only the target's own failures teach the stats and the breaker; a client's mistake or departure does not.
        if (countsAgainstTarget(e)) {
          deps.stats.finish(target.key, req.cls, { ok: false, latencyMs });
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
        const entry = { provider: target.provider.name, model: target.model, status: e.status, latency_ms: round(latencyMs), error: `${e.clientCode ?? e.code}: ${e.message}`.slice(0, 500) };
        rec.attemptLog.push(entry);
        if (e.code === "client_closed") throw e;
        lastError = e;
        lastTarget = target;

        const special = isContextWindowError(e) ? "context_window_fallbacks" : isContentPolicyError(e) ? "content_policy_fallbacks" : undefined;
        const specialChain = special ? route.model?.[special] ?? [] : [];
        if (special && specialChain.length) {
          // Try the special chain next, before anything else in the queue.
          const next = specialChain.filter((m) => !queued.has(m));
          for (const m of next) queued.add(m);
          chain.splice(c + 1, 0, ...next);
          Object.assign(entry, { next: special === "context_window_fallbacks" ? "context_window_fallback" : "content_policy_fallback" });
          deps.onRetry?.(special === "context_window_fallbacks" ? "context_window_fallback" : "content_policy_fallback");
          jumped = true;
          break;
        }
        if (!e.retryable) throw e;
        Object.assign(entry, { next: "retry" });
        deps.onRetry?.("retry");
      }
    }
    if (!jumped && c + 1 < chain.length && rec.attempts < retry.max_attempts) deps.onRetry?.("fallback");
    if (Date.now() >= deadline) break;
  }
  if (lastError) throw lastError;
  throw new GatewayError("upstream_unavailable",
    skipped ? `No target for '${rec.model}' can take the request now: circuits are open or targets are at their upstream limits.` : `No target for '${rec.model}' was tried.`,
    { retryAfter: 1 });
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
