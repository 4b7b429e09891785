/**
 * The one place that turns errors into OpenAI error JSON or an SSE error
 * event (STYLE.md rule 6). Unexpected errors never leak a stack trace.
 */
import type { FastifyError } from "fastify";
import { GatewayError, toGatewayError } from "../core/errors.js";

/** The ways a request body can be refused before it reaches the engine (the lane's and fastify's alike). */
export const BODY_ERRORS = {
  tooLarge: (limitMb: number) => new GatewayError("body_too_large", `The request body is larger than the gateway's limit of ${limitMb} MB. Send a smaller body (or raise server.body_limit_mb).`),
  unsupportedMediaType: () => new GatewayError("unsupported_media_type", "Unsupported Content-Type: send the body as JSON with 'Content-Type: application/json'."),
  empty: () => new GatewayError("invalid_json", "The request body is empty: send a JSON object."),
  incomplete: () => new GatewayError("invalid_request", "The request body did not arrive completely: the connection ended before it did."),
  invalidJson: (err: unknown) => {
    const detail = err instanceof Error ? err.message : String(err);
    // secure-json-parse's refusal of keys that would poison a prototype.
    if (/forbidden prototype property/.test(detail)) {
      return new GatewayError("invalid_json", "The request body uses a key the gateway refuses (__proto__, or prototype under constructor): rename it.");
    }
    return new GatewayError("invalid_json", `The request body is not valid JSON: ${detail}`);
  },
};

/** Fastify's own failures (body parsing, limits, content types) in our catalog's terms. */
function fromFastify(err: FastifyError, bodyLimitMb: number): GatewayError | undefined {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return BODY_ERRORS.tooLarge(bodyLimitMb);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return BODY_ERRORS.unsupportedMediaType();
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return BODY_ERRORS.empty();
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new GatewayError("invalid_request", "The Content-Length header does not match the body.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return BODY_ERRORS.invalidJson(err);
    default:
      break;
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return BODY_ERRORS.invalidJson(err);
  }
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    return new GatewayError("invalid_request", err.message, { status: err.statusCode });
  }
  return undefined;
}

export function normalizeError(err: unknown, bodyLimitMb: number): GatewayError {
  if (err instanceof GatewayError) return err;
  const fe = err as FastifyError;
  if (fe && typeof fe === "object" && (typeof fe.code === "string" || typeof fe.statusCode === "number" || fe instanceof SyntaxError)) {
    const mapped = fromFastify(fe, bodyLimitMb);
    if (mapped) return mapped;
  }
  return toGatewayError(err);
}

export function errorBody(err: GatewayError): string {
  return JSON.stringify(err.toJSON());
}

/** The SSE event that ends a stream that failed after it began. */
export function sseErrorEvent(err: GatewayError): string {
  return `data: ${errorBody(err)}\n\n`;
}

/**
 * The headers an error answer carries besides its body: Retry-After, the
 * x-ratelimit-* of a limit refusal, and where the error came from (the last
 * target tried and how many attempts were made).
 */
export function errorHeaders(e: GatewayError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (e.retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(e.retryAfter));
  const extra = (e as { headers?: Record<string, string> }).headers;
  if (extra) Object.assign(headers, extra);
  if (e.route) {
    headers["x-liaison-provider"] = e.route.provider;
    headers["x-liaison-model"] = e.route.upstreamModel;
    headers["x-liaison-attempts"] = String(e.route.attempts);
  }
  return headers;
}
