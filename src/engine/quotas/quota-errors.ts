/**
 * Refusals as GatewayErrors, in OpenAI's shapes: 429 `rate_limit_error` /
 * `rate_limit_exceeded` for rpm, tpm and parallel limits (with retry-after
 * and the x-ratelimit-* headers), 429 `insufficient_quota` for budgets, 403
 * for a model the key may not use, 503 when limits cannot be checked under
 * `fail: closed`. Built on catalog codes that exist today, with the client
 * code and type OpenAI uses.
 */
import { GatewayError, type ErrorCode, type GatewayErrorOptions } from "../../core/errors.js";
import { formatDollars } from "../../cost/cost.js";
import type { BudgetRefused } from "./budgets.js";
import type { RateLimitHeaders, Refused } from "./limits.js";

/** A refusal that carries response headers (x-ratelimit-*) for the HTTP layer to send. */
export class QuotaError extends GatewayError {
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions & { headers?: RateLimitHeaders } = {}) {
    super(code, message, options);
    this.headers = Object.fromEntries(Object.entries(options.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  }
}

const LIMIT_NAMES = { rpm: "requests per minute (RPM)", tpm: "tokens per minute (TPM)", parallel: "parallel requests" } as const;

export function limitError(r: Refused): QuotaError {
  if (r.limit === "unavailable") {
    return new QuotaError("upstream_unavailable", "Rate limits cannot be checked right now (shared state unavailable); try again shortly.", {
      type: "api_error", clientCode: "limits_unavailable", retryAfter: r.retryAfterSeconds, retryable: true,
    });
  }
  const what = LIMIT_NAMES[r.limit];
  const message = r.requested > r.limitValue
    ? `Request too large for ${r.subject} on ${what}: Limit ${r.limitValue}, Requested ${r.requested}. Send fewer tokens (or a lower max_tokens).`
    : `Rate limit reached for ${r.subject} on ${what}: Limit ${r.limitValue}. Please try again in ${r.retryAfterSeconds}s.`;
  return new QuotaError("rate_limited", message, {
    clientCode: "rate_limit_exceeded", retryAfter: r.retryAfterSeconds, retryable: false, headers: r.headers,
  });
}

export function budgetError(r: BudgetRefused): QuotaError {
  if (r.reason === "unavailable") {
    return new QuotaError("upstream_unavailable", "Budgets cannot be checked right now (shared state unavailable); try again shortly.", {
      type: "api_error", clientCode: "budgets_unavailable", retryAfter: 5, retryable: true,
    });
  }
  const resets = r.resetsAt === null ? "It does not reset (period: total)." : `It resets at ${r.resetsAt}.`;
  return new QuotaError("rate_limited",
    `You exceeded your current quota: ${r.subject} has spent $${formatDollars(r.spentUsd)} of its ${r.period} budget of $${formatDollars(r.budgetUsd)}. ${resets}`,
    // No retry-after: retrying soon will not help, and OpenAI sends none for insufficient_quota either.
    { type: "insufficient_quota", clientCode: "insufficient_quota", retryable: false });
}

export function modelNotAllowedError(subject: string, model: string): QuotaError {
  return new QuotaError("permission_denied", `${subject} is not allowed to use model '${model}'.`, { param: "model", clientCode: "model_not_allowed" });
}
