/**
 * Error bodies for the gateway's `POST /v1/messages`, in Anthropic's shape
 * (`{"type":"error","error":{"type","message"}}`), so Anthropic SDKs raise
 * their own typed errors. The same object is the stream's `error` event.
 */
import type { AnthropicErrorBody } from "../wire-types.js";

const BY_TYPE: Readonly<Record<string, string>> = {
  invalid_request_error: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "not_found_error",
  rate_limit_error: "rate_limit_error",
  insufficient_quota: "rate_limit_error",
  timeout_error: "timeout_error",
  overloaded_error: "overloaded_error",
  request_too_large: "request_too_large",
  api_error: "api_error",
  billing_error: "billing_error",
};

/** Anthropic's error type for a status, when the gateway's type says nothing more precise. */
function typeForStatus(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  if (status === 504) return "timeout_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "api_error";
}

/**
 * Statuses whose Anthropic type is fixed, whatever the error says of itself:
 * an upstream's 404 keeps OpenAI's `invalid_request_error` type, but
 * Anthropic clients expect `not_found_error` with a 404.
 */
const BY_STATUS: Readonly<Record<number, string>> = {
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  503: "overloaded_error",
  529: "overloaded_error",
};

export function anthropicErrorType(status: number, type: string): string {
  return BY_STATUS[status] ?? BY_TYPE[type] ?? typeForStatus(status);
}

export function toAnthropicError(status: number, type: string, message: string, requestId?: string): AnthropicErrorBody {
  return {
    type: "error",
    error: { type: anthropicErrorType(status, type), message },
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}
