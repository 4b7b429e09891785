/**
 * The error catalog. Every failure the gateway reports is a GatewayError with a
 * stable code; exactly one place (server/error-response.ts) turns it into
 * OpenAI error JSON or an SSE error event.
 */

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "insufficient_quota"
  | "api_error"
  | "timeout_error"
  | "upstream_error";

interface CatalogEntry { status: number; type: ErrorType }

export const ERROR_CATALOG = {
  invalid_json: { status: 400, type: "invalid_request_error" },
  invalid_request: { status: 400, type: "invalid_request_error" },
  unsupported_media_type: { status: 415, type: "invalid_request_error" },
  body_too_large: { status: 413, type: "invalid_request_error" },
  /** The request (headers and body) did not arrive within server.request_timeout_ms / headers_timeout_ms. */
  request_timeout: { status: 408, type: "invalid_request_error" },
  headers_too_large: { status: 431, type: "invalid_request_error" },
  model_not_found: { status: 404, type: "not_found_error" },
  route_not_found: { status: 404, type: "not_found_error" },
  method_not_allowed: { status: 405, type: "invalid_request_error" },
  unsupported_operation: { status: 400, type: "invalid_request_error" },
  /** POST /admin/reload with a configuration that does not load: the old one keeps serving. */
  invalid_config: { status: 422, type: "invalid_request_error" },
  /** An upstream answered but refused on content policy (finish_reason content_filter); used to trigger content-policy fallbacks. */
  content_refused: { status: 400, type: "invalid_request_error" },
  invalid_api_key: { status: 401, type: "authentication_error" },
  permission_denied: { status: 403, type: "permission_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  upstream_error: { status: 502, type: "upstream_error" },
  upstream_unreachable: { status: 502, type: "upstream_error" },
  upstream_timeout: { status: 504, type: "timeout_error" },
  upstream_unavailable: { status: 503, type: "upstream_error" },
  stream_interrupted: { status: 502, type: "upstream_error" },
  client_closed: { status: 499, type: "api_error" },
  shutting_down: { status: 503, type: "api_error" },
  internal_error: { status: 500, type: "api_error" },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface GatewayErrorOptions {
  /** Overrides the catalog status (upstream 4xx keep their own status). */
  status?: number;
  /** Overrides the catalog type (an upstream error keeps its own type). */
  type?: string;
  param?: string | null;
  /** The code reported to the client, when it differs from the catalog code (upstream codes). */
  clientCode?: string | null;
  /** Whether the same request might succeed if tried again. */
  retryable?: boolean;
  /** Seconds the upstream asked us to wait (Retry-After). */
  retryAfter?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly clientCode: string | null;
  readonly retryable: boolean;
  readonly retryAfter: number | undefined;
  /** Which upstream attempts led here (set by the engine), for the x-liaison-* response headers. */
  route?: { provider: string; upstreamModel: string; attempts: number };

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    const entry: CatalogEntry = ERROR_CATALOG[code];
    this.code = code;
    this.status = options.status ?? entry.status;
    this.type = options.type ?? entry.type;
    this.param = options.param ?? null;
    this.clientCode = options.clientCode === undefined ? code : options.clientCode;
    this.retryable = options.retryable ?? (this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500);
    this.retryAfter = options.retryAfter;
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.clientCode } };
  }
}

/** Turns anything thrown into a GatewayError without losing a GatewayError's details. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError("internal_error", "The gateway hit an unexpected error; it has been logged.", { cause: err });
}

/**
 * Errors raised in several places with the same words: made here, so a
 * client sees one message for one situation.
 */
export const COMMON_ERRORS = {
  /** No key in Authorization or x-api-key. */
  missingApiKey: () => new GatewayError("invalid_api_key", "Missing API key: send 'Authorization: Bearer <key>' (or 'x-api-key: <key>').", { clientCode: "invalid_api_key" }),
  /** The caller went away before the answer was complete. */
  clientClosed: () => new GatewayError("client_closed", "The client closed the request.", { retryable: false }),
};
