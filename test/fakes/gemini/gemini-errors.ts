/**
 * Google's error bodies (google.rpc.Status over REST), as the Generative
 * Language API returns them: pretty-printed, with ErrorInfo / RetryInfo /
 * QuotaFailure details where Google adds them.
 */
import { googlePretty } from "./gemini-json.js";
import type { JsonReply, Reply } from "../_shared/reply.js";

export interface GoogleError {
  error: { code: number; message: string; status: string; details?: object[] };
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
  409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
};

const MESSAGES: Record<number, string> = {
  400: "Request contains an invalid argument.",
  401: "Request had invalid authentication credentials.",
  403: "The caller does not have permission",
  404: "Requested entity was not found.",
  429: "Resource has been exhausted (e.g. check quota).",
  500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
  504: "Deadline expired before operation could complete.",
};

export function googleError(code: number, message: string, details?: object[]): GoogleError {
  return { error: { code, message, status: STATUS_NAMES[code] ?? "UNKNOWN", ...(details ? { details } : {}) } };
}

export function googleReply(status: number, body: object, headers: Record<string, string> = {}): JsonReply {
  return { type: "json", status, headers: { "content-type": "application/json; charset=UTF-8", ...headers }, body: googlePretty(body) };
}

const SERVICE = "generativelanguage.googleapis.com";

export const geminiErrors = {
  statusBody: (status: number): GoogleError => googleError(status, MESSAGES[status] ?? `Fake upstream error (status ${status}).`),

  apiKeyInvalid: (): Reply =>
    googleReply(400, googleError(400, "API key not valid. Please pass a valid API key.", [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: SERVICE } },
      { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: "API key not valid. Please pass a valid API key." },
    ])),

  missingKey: (): Reply =>
    googleReply(403, googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")),

  modelNotFound: (model: string, version: string, method: string): Reply =>
    googleReply(404, googleError(404, `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`)),

  invalidArgument: (message: string): Reply => googleReply(400, googleError(400, message)),

  /** Free-tier style 429: QuotaFailure, Help and RetryInfo details, and no Retry-After header (Google sends none). */
  rateLimited: (retryAfterSeconds: number, model: string): Reply =>
    googleReply(429, googleError(429, `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for metric: ${SERVICE}/generate_content_free_tier_requests, limit: 10, model: ${model}\nPlease retry in ${retryAfterSeconds}s.`, [
      {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        violations: [{
          quotaMetric: `${SERVICE}/generate_content_free_tier_requests`,
          quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
          quotaDimensions: { location: "global", model },
          quotaValue: "10",
        }],
      },
      { "@type": "type.googleapis.com/google.rpc.Help", links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }] },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfterSeconds}s` },
    ])),

  /** What Google's front end sends for a URL no API serves: an HTML page, not JSON. */
  unknownPath: (path: string): Reply => ({
    type: "json",
    status: 404,
    headers: { "content-type": "text/html; charset=UTF-8" },
    body: `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${path}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`,
  }),

  internal: (message: string): Reply => googleReply(500, googleError(500, message)),
};
