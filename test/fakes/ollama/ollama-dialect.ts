/**
 * Ollama's side of the fake plumbing: its error bodies (`{"error": "..."}`,
 * api-errors.mdx), its JSON and NDJSON replies, and the WireDialect the
 * shared server uses for injected faults. Ollama sends no request-id or
 * rate-limit headers of its own, so there are none here either.
 */
import type { OutgoingHttpHeaders } from "node:http";
import type { JsonReply, Reply, SseReply } from "../_shared/reply.js";
import type { WireDialect } from "../_shared/wire-dialect.js";

/** gin's c.JSON content type, which Ollama's answers carry. */
const JSON_TYPE: OutgoingHttpHeaders = { "content-type": "application/json; charset=utf-8" };

export function ollamaJson(status: number, value: unknown): JsonReply {
  return { type: "json", status, headers: { ...JSON_TYPE }, body: JSON.stringify(value) };
}

export function ollamaError(status: number, message: string, headers: OutgoingHttpHeaders = {}): JsonReply {
  return { type: "json", status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ error: message }) };
}

/** A plain-text answer: gin's "404 page not found", the root's "Ollama is running". */
export function ollamaText(status: number, text: string): JsonReply {
  return { type: "json", status, headers: { "content-type": "text/plain; charset=utf-8" }, body: text };
}

/**
 * An NDJSON stream: one JSON object per line. It travels as the shared
 * writer's "sse" reply (frames written one by one, so pacing and the
 * stall/drop/malformed faults cut it after N lines); only the framing differs.
 */
export function ndjsonReply(events: readonly unknown[]): SseReply {
  return {
    type: "sse",
    status: 200,
    headers: { "content-type": "application/x-ndjson" },
    frames: events.map((event) => `${JSON.stringify(event)}\n`),
  };
}

/** The character JSON.parse stopped at (V8 reports "at position N"). */
function offendingChar(raw: string): string {
  try {
    JSON.parse(raw);
    return " ";
  } catch (error) {
    const position = /position (\d+)/.exec(String(error))?.[1];
    return raw.charAt(position === undefined ? 0 : Number(position)) || " ";
  }
}

export const ollamaErrors = {
  modelNotFound: (model: string) => ollamaError(404, `model "${model}" not found, try pulling it first`),
  modelRequired: () => ollamaError(400, "model is required"),
  missingBody: () => ollamaError(400, "missing request body"),
  /** Go's encoding/json complaint about a body that is not JSON, naming the offending character. */
  invalidJson: (raw: string) => ollamaError(400, `invalid character '${offendingChar(raw)}' looking for beginning of value`),
  unauthorized: () => ollamaError(401, "unauthorized"),
  pageNotFound: () => ollamaText(404, "404 page not found"),
  /** The runner failed (api-errors.mdx's example message). */
  modelFailed: () => ollamaError(500, "an error was encountered while running the model"),
};

const STATUS_MESSAGES: Record<number, string> = {
  400: "bad request",
  401: "unauthorized",
  403: "forbidden",
  404: "not found",
  429: "too many requests",
  500: "an error was encountered while running the model",
  502: "bad gateway: the cloud model could not be reached",
  503: "server busy, please try again.  maximum pending requests exceeded",
};

export const ollamaDialect: WireDialect = {
  responseHeaders: () => ({}),
  statusErrorBody: (status) => ({ error: STATUS_MESSAGES[status] ?? `status ${status}` }),
  rateLimited(retryAfterSeconds): Reply {
    return ollamaError(429, "too many requests: rate limit exceeded", { "retry-after": String(retryAfterSeconds) });
  },
  badRequest: (message) => ollamaError(400, message),
  internalError: (message) => ollamaError(500, message),
};
