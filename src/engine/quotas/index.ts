export {
  modelAllowed, RATE_LIMIT_HEADER_NAMES,
  type Admission, type Admitted, type LimitKind, type QuotaGate, type QuotaSubject, type RateLimitHeaderName,
  type RateLimitHeaders, type RedisFailurePolicy, type Refused, type SubjectLimits,
} from "./limits.js";
export { formatDuration } from "./rate-limit-headers.js";
export { MemoryQuotaGate, type MemoryQuotaGateSettings } from "./memory-quota-gate.js";
export { RedisQuotaGate, type RedisQuotaGateSettings } from "./redis-quota-gate.js";
export { currentStarts, periodWindow, TOTAL_START, type BudgetPeriod, type PeriodWindow } from "./budget-period.js";
export {
  DEFAULT_BUDGET_PERIOD, MemoryBudgetGuard,
  type BudgetAllowed, type BudgetCheck, type BudgetGuard, type BudgetGuardSettings, type BudgetRefused, type BudgetSubject, type SpendEvent,
} from "./budgets.js";
export { RedisBudgetGuard, type RedisBudgetGuardSettings } from "./redis-budget-guard.js";
export {
  BudgetAlerts, DEFAULT_THRESHOLDS_PERCENT, MemoryAlertDedup, RedisAlertDedup, SIGNATURE_HEADER, TIMESTAMP_HEADER,
  signWebhookBody, verifyWebhookSignature,
  type AlertDedup, type BudgetAlert, type BudgetAlertSettings,
} from "./webhooks.js";
export { QuotaError, budgetError, limitError, modelNotAllowedError } from "./quota-errors.js";
export { createQuotas, type Quotas, type QuotaSettings, type WebhookSettings } from "./create-quotas.js";
