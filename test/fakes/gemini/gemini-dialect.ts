/**
 * generativelanguage.googleapis.com's headers and error bodies for the shared
 * fake plumbing (status and rate_limit faults, bad fault headers, fake bugs).
 */
import type { OutgoingHttpHeaders } from "node:http";
import { geminiErrors, googleReply, googleError } from "./gemini-errors.js";
import type { WireDialect } from "../_shared/wire-dialect.js";

/** The model a request names in its URL (`/v1beta/models/{model}:method`), for the 429 message. */
function modelOfPath(path: string): string {
  const match = /\/models\/([^/:]+):/.exec(path);
  return match?.[1] ?? "unknown";
}

export const geminiDialect: WireDialect = {
  responseHeaders(_sequence: number, processingMs: number): OutgoingHttpHeaders {
    return {
      vary: "Origin, X-Origin, Referer",
      server: "scaffolding on HTTPServer2",
      "x-xss-protection": "0",
      "x-frame-options": "SAMEORIGIN",
      "x-content-type-options": "nosniff",
      "server-timing": `gfet4t7; dur=${processingMs}`,
    };
  },
  statusErrorBody: (status) => geminiErrors.statusBody(status),
  rateLimited(retryAfterSeconds, request) {
    return geminiErrors.rateLimited(retryAfterSeconds, modelOfPath(request.path));
  },
  badRequest: (message) => googleReply(400, googleError(400, message)),
  internalError: (message) => geminiErrors.internal(message),
};
