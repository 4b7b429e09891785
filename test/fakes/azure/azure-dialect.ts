/**
 * Azure OpenAI's flavour of the wire format: APIM request ids and region
 * headers, Azure's error bodies, and content-filter verdicts in responses.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { azureContentFilter } from "./azure-content-filter.js";
import { azureErrors } from "./azure-errors.js";
import type { WireDialect } from "../_shared/wire-dialect.js";

/** A UUID-shaped id from a counter: unique per fake, stable across runs. */
function requestUuid(sequence: number): string {
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, "0")}`;
}

export function createAzureDialect(contentFilter: boolean): WireDialect {
  return {
    responseHeaders(sequence: number): OutgoingHttpHeaders {
      const id = requestUuid(sequence);
      return {
        "apim-request-id": id,
        "x-request-id": id,
        "x-ms-region": "East US",
        "x-ratelimit-limit-requests": "1000",
        "x-ratelimit-remaining-requests": "999",
        "x-ratelimit-limit-tokens": "1000000",
        "x-ratelimit-remaining-tokens": "999000",
      };
    },
    statusErrorBody: (status) => azureErrors.statusBody(status),
    rateLimited(retryAfterSeconds, request) {
      const operation = /(chat\/completions|completions|embeddings)$/.exec(request.path)?.[1] ?? "chat/completions";
      return azureErrors.rateLimited(retryAfterSeconds, operation, request.query["api-version"]);
    },
    badRequest: (message) => azureErrors.badRequest(message),
    internalError: (message) => azureErrors.internalError(message),
    annotations: contentFilter ? azureContentFilter : undefined,
  };
}
