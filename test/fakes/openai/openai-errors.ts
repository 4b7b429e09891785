/**
 * OpenAI's error responses, worded as api.openai.com words them, in the
 * ErrorResponse shape: {"error":{"message","type","param","code"}}.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { jsonReply, type Reply } from "../_shared/reply.js";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openaiErrorBody(
  message: string,
  type = "invalid_request_error",
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

function errorReply(status: number, body: OpenAIErrorBody, headers?: OutgoingHttpHeaders): Reply {
  return jsonReply(status, body, headers);
}

/** How OpenAI shows a rejected key: a prefix and the last four characters. */
function maskKey(key: string): string {
  return key.length <= 8 ? "*".repeat(key.length) : `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

/** Go's time.Duration format ("6ms", "20s", "1m30s"), which OpenAI's reset headers use. */
export function goDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = Number((seconds % 60).toFixed(3));
  return `${hours > 0 ? `${hours}h` : ""}${hours > 0 || minutes > 0 ? `${minutes}m` : ""}${rest}s`;
}

export const openaiErrors = {
  invalidJson: (): Reply =>
    errorReply(
      400,
      openaiErrorBody(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
      ),
    ),

  missingModel: (): Reply =>
    errorReply(400, openaiErrorBody("you must provide a model parameter")),

  missingParam: (param: string): Reply =>
    errorReply(
      400,
      openaiErrorBody(`Missing required parameter: '${param}'.`, "invalid_request_error", param, "missing_required_parameter"),
    ),

  invalidValue: (param: string, message: string, code: string | null = "invalid_value"): Reply =>
    errorReply(400, openaiErrorBody(message, "invalid_request_error", param, code)),

  modelNotFound: (model: string): Reply =>
    errorReply(
      404,
      openaiErrorBody(
        `The model \`${model}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        null,
        "model_not_found",
      ),
    ),

  invalidUrl: (method: string, path: string): Reply =>
    errorReply(404, openaiErrorBody(`Invalid URL (${method} ${path})`)),

  missingApiKey: (): Reply =>
    errorReply(
      401,
      openaiErrorBody(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        null,
        "invalid_api_key",
      ),
    ),

  incorrectApiKey: (key: string): Reply =>
    errorReply(
      401,
      openaiErrorBody(
        `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        "invalid_request_error",
        null,
        "invalid_api_key",
      ),
    ),

  rateLimited: (retryAfterSeconds: number, model: string | undefined): Reply =>
    errorReply(
      429,
      openaiErrorBody(
        `Rate limit reached for ${model ?? "requests"} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${goDuration(retryAfterSeconds)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        "requests",
        null,
        "rate_limit_exceeded",
      ),
      {
        "retry-after": String(Math.ceil(retryAfterSeconds)),
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": goDuration(retryAfterSeconds),
      },
    ),

  /** The body OpenAI sends with a given status when nothing more specific applies. */
  statusBody: (status: number): OpenAIErrorBody => {
    const known: Record<number, OpenAIErrorBody> = {
      400: openaiErrorBody("Bad request."),
      401: openaiErrorBody("Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key"),
      403: openaiErrorBody("You are not allowed to sample from this model", "invalid_request_error"),
      404: openaiErrorBody("The model does not exist or you do not have access to it.", "invalid_request_error", null, "model_not_found"),
      408: openaiErrorBody("Request timed out.", "timeout", null, null),
      429: openaiErrorBody("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", null, "insufficient_quota"),
      500: openaiErrorBody("The server had an error while processing your request. Sorry about that!", "server_error"),
      502: openaiErrorBody("Bad gateway.", "server_error", null, "bad_gateway"),
      503: openaiErrorBody("The engine is currently overloaded, please try again later.", "server_error"),
      504: openaiErrorBody("Gateway timeout.", "server_error", null, "gateway_timeout"),
    };
    return known[status] ?? openaiErrorBody(`Fake upstream error (status ${status}).`, status >= 500 ? "server_error" : "invalid_request_error");
  },
};
