/**
 * Which upstream attempt comes next: a plan, with no I/O and no timers of
 * its own. It walks the route's targets in the strategy's order, then each
 * fallback model's, skipping a target whose circuit is open (and, when
 * every circuit of the last model is open, trying one anyway — Envoy's
 * "panic mode": better a likely failure than a certain one), and decides
 * what a failed attempt leads to:
 *
 *   non-retryable → the context-window or content-policy fallback chain, or the end;
 *   retryable     → the next target at once; once the chain is exhausted,
 *                   the last model's targets again, the same target after a
 *                   backoff (exponential, full jitter, Retry-After honoured up to a cap).
 *
 * Every distinct target of the chain gets an attempt before any is retried
 * (a user who lists fallbacks expects each to be tried); `max_attempts`
 * bounds the attempts on one target; the request's deadline bounds the whole.
 * It is a synchronous generator: it yields what the caller must do and is
 * told how that went —
 *
 *   { kind: "acquire" } → the target's upstream limit: send back true (reserved) or false (skip it);
 *   { kind: "wait" }    → sleep that long, then call next();
 *   { kind: "attempt" } → make the attempt; on success stop, on failure send back its error.
 *
 * It ends by throwing the error to answer with.
 */
import { GatewayError, toGatewayError } from "../core/errors.js";
import type { CircuitBreakers } from "./health/types.js";
import { backoffMs, isContentPolicyError, isContextWindowError, type RetryConfig } from "./retry-policy.js";
import type { Route } from "./router.js";
import type { LiveTargetStats } from "./routing/target-stats.js";
import type { RequestClass, RoutedCall, TargetRef } from "./routing/types.js";

export type RetryKind = "retry" | "fallback" | "context_window_fallback" | "content_policy_fallback";

export type PlanStep =
  | { readonly kind: "acquire"; readonly target: TargetRef; readonly tokens: number }
  | { readonly kind: "wait"; readonly ms: number }
  /** `reserved`: tokens reserved against the target's upstream limit, to settle once the attempt is over. */
  | { readonly kind: "attempt"; readonly target: TargetRef; readonly route: Route; readonly reserved: number };

/** What the caller sends back: after "acquire" whether it got the slot, after "attempt" its error. */
export type PlanInput = boolean | GatewayError | undefined;

export interface PlannerDeps {
  router: { resolve(name: string): Route };
  breakers: Pick<CircuitBreakers, "allow">;
  stats: LiveTargetStats;
  now?: () => number;
  /** A target passed over: its circuit is open, or it is at its upstream limit. */
  onSkip?(target: TargetRef): void;
  /** The plan moves on after a failure (metrics). */
  onRetry?(kind: RetryKind): void;
}

export interface PlanRequest {
  /** The model the client asked for (a configured name, an alias, provider/model). */
  model: string;
  cls: RequestClass;
  /** Reserved against a target's tpm limit. */
  estimatedTokens: number;
  retry: RetryConfig;
  /** No attempt starts after this (ms since the epoch, as deps.now). */
  deadline: number;
  /** Throws a 400 GatewayError for a target that cannot serve the request. */
  check(target: TargetRef): void;
  /** How the last failed attempt was followed up (for its entry in the attempt log). */
  movedOn?(next: RetryKind): void;
  /** The call, for strategies that read its prompt (learned, cascade); read only by them. */
  call?: RoutedCall;
}

export function* planAttempts(deps: PlannerDeps, req: PlanRequest): Generator<PlanStep, never, PlanInput> {
  const now = deps.now ?? Date.now;
  const { retry, deadline } = req;
  const chain: string[] = [req.model];
  const queued = new Set(chain);
  let lastError: GatewayError | undefined;
  let skipped = 0;
  let made = 0;
  /** Attempts per target key: max_attempts bounds each. */
  const tried = new Map<string, number>();

  for (let c = 0; c < chain.length; c++) {
    const route = deps.router.resolve(chain[c]!);
    if (c === 0 && route.model) {
      for (const m of route.model.fallbacks) if (!queued.has(m)) { queued.add(m); chain.push(m); }
    }
    const order = route.strategy.order(route.targets, { route: route.name, cls: req.cls, stats: deps.stats, call: req.call });
    let jumped = false;
    let lastTarget: TargetRef | undefined;
    let unusable = 0;
    let triedHere = 0;
    let openCircuits = 0;
    let ignoreBreakers = false;

    for (let i = 0; ; i++) {
      if (unusable >= order.length) {
        if (triedHere > 0 || openCircuits < order.length || ignoreBreakers || c + 1 < chain.length) break;
        ignoreBreakers = true; // panic mode: every circuit of the last model is open
        unusable = 0;
        i = 0;
      }
      // One pass over this model's targets, then its fallbacks; the same targets
      // are tried again (after a backoff) only when no other model is left.
      if (i >= order.length && c + 1 < chain.length) break;
      const target = order[i % order.length]!;
      if (i >= order.length && i % order.length === 0) unusable = 0; // a new pass over the targets
      if ((tried.get(target.key) ?? 0) >= retry.max_attempts) {
        unusable++;
        continue;
      }
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
        deps.onSkip?.(target);
        continue;
      }
      const reserved = target.rpm || target.tpm ? req.estimatedTokens : 0;
      if ((reserved || target.rpm) && !(yield { kind: "acquire", target, tokens: reserved })) {
        unusable++;
        skipped++;
        deps.onSkip?.(target);
        continue;
      }
      // The same target again (only one left, or a second pass): back off first.
      if (lastTarget === target && lastError) {
        const wait = backoffMs(retry, tried.get(target.key) ?? 0, lastError.retryAfter);
        if (wait === undefined || now() + wait >= deadline) break;
        yield { kind: "wait", ms: wait };
      }
      if (now() >= deadline && made > 0) break;

      made++;
      triedHere++;
      tried.set(target.key, (tried.get(target.key) ?? 0) + 1);
      const e = (yield { kind: "attempt", target, route, reserved }) as GatewayError;
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
        const kind = special === "context_window_fallbacks" ? "context_window_fallback" : "content_policy_fallback";
        req.movedOn?.(kind);
        deps.onRetry?.(kind);
        jumped = true;
        break;
      }
      if (!e.retryable) throw e;
      req.movedOn?.("retry");
      deps.onRetry?.("retry");
    }
    if (!jumped && c + 1 < chain.length) deps.onRetry?.("fallback");
    if (now() >= deadline) break;
  }
  if (lastError) throw lastError;
  throw new GatewayError("upstream_unavailable",
    skipped ? `No target for '${req.model}' can take the request now: circuits are open or targets are at their upstream limits.` : `No target for '${req.model}' was tried.`,
    { retryAfter: 1 });
}
