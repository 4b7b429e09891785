/**
 * api.anthropic.com's headers and error bodies
 * (`{"type":"error","error":{"type","message"},"request_id"}`), worded as
 * Anthropic words them, for the Anthropic fake.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { jsonReply, type Reply } from "../_shared/reply.js";
import type { WireDialect } from "../_shared/wire-dialect.js";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id: string;
}

let errorSequence = 0;

export function anthropicErrorBody(type: string, message: string): AnthropicErrorBody {
  errorSequence += 1;
  return { type: "error", error: { type, message }, request_id: `req_011FAKEERR${errorSequence.toString().padStart(12, "0")}` };
}

function errorReply(status: number, type: string, message: string, headers: OutgoingHttpHeaders = {}): Reply {
  return jsonReply(status, anthropicErrorBody(type, message), headers);
}

/** RFC 3339, as the anthropic-ratelimit-*-reset headers carry it. */
function resetAt(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function rateLimitHeaders(remaining: number, resetSeconds: number): OutgoingHttpHeaders {
  return {
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": String(remaining),
    "anthropic-ratelimit-requests-reset": resetAt(resetSeconds),
    "anthropic-ratelimit-tokens-limit": "80000",
    "anthropic-ratelimit-tokens-remaining": remaining === 0 ? "0" : "79000",
    "anthropic-ratelimit-tokens-reset": resetAt(resetSeconds),
    "anthropic-ratelimit-input-tokens-limit": "40000",
    "anthropic-ratelimit-input-tokens-remaining": remaining === 0 ? "0" : "39500",
    "anthropic-ratelimit-input-tokens-reset": resetAt(resetSeconds),
    "anthropic-ratelimit-output-tokens-limit": "40000",
    "anthropic-ratelimit-output-tokens-remaining": remaining === 0 ? "0" : "39500",
    "anthropic-ratelimit-output-tokens-reset": resetAt(resetSeconds),
  };
}

const STATUS_ERRORS: Record<number, [string, string]> = {
  400: ["invalid_request_error", "Bad request"],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not found"],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"],
  500: ["api_error", "Internal server error"],
  504: ["timeout_error", "Request timed out"],
  529: ["overloaded_error", "Overloaded"],
};

export const anthropicErrors = {
  statusBody(status: number): AnthropicErrorBody {
    const [type, message] = STATUS_ERRORS[status] ?? [status >= 500 ? "api_error" : "invalid_request_error", `Fake upstream error (status ${status}).`];
    return anthropicErrorBody(type, message);
  },
  invalidRequest: (message: string): Reply => errorReply(400, "invalid_request_error", message),
  missingApiKey: (): Reply => errorReply(401, "authentication_error", "x-api-key header is required"),
  invalidApiKey: (): Reply => errorReply(401, "authentication_error", "invalid x-api-key"),
  notFound: (): Reply => errorReply(404, "not_found_error", "Not Found"),
  modelNotFound: (model: string): Reply => errorReply(404, "not_found_error", `model: ${model}`),
  rateLimited: (retryAfterSeconds: number): Reply =>
    errorReply(
      429,
      "rate_limit_error",
      "This request would exceed the rate limit for your organization (fake-org) of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.",
      { "retry-after": String(Math.ceil(retryAfterSeconds)), "x-should-retry": "true", ...rateLimitHeaders(0, retryAfterSeconds) },
    ),
};

export const anthropicDialect: WireDialect = {
  responseHeaders(sequence: number): OutgoingHttpHeaders {
    return {
      "request-id": `req_011FAKE${sequence.toString().padStart(16, "0")}`,
      "anthropic-organization-id": "00000000-0000-4000-8000-00000000fa4e",
      ...rateLimitHeaders(49, 1),
    };
  },
  statusErrorBody: (status) => anthropicErrors.statusBody(status),
  rateLimited: (retryAfterSeconds) => anthropicErrors.rateLimited(retryAfterSeconds),
  badRequest: (message) => anthropicErrors.invalidRequest(message),
  internalError: (message) => errorReply(500, "api_error", message),
};
