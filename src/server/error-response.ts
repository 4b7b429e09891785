/**
 * The one place that turns errors into OpenAI error JSON or an SSE error
 * event (STYLE.md rule 6). Unexpected errors never leak a stack trace.
 */
import type { FastifyError } from "fastify";
import { GatewayError, toGatewayError } from "../core/errors.js";

/** Fastify's own failures (body parsing, limits, content types) in our catalog's terms. */
function fromFastify(err: FastifyError, bodyLimitMb: number): GatewayError | undefined {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new GatewayError("body_too_large", `The request body is larger than the gateway's limit of ${bodyLimitMb} MB. Send a smaller body (or raise server.body_limit_mb).`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new GatewayError("unsupported_media_type", "Unsupported Content-Type: send the body as JSON with 'Content-Type: application/json'.");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new GatewayError("invalid_json", "The request body is empty: send a JSON object.");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new GatewayError("invalid_request", "The Content-Length header does not match the body.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new GatewayError("invalid_json", `The request body is not valid JSON: ${err.message}`);
    default:
      break;
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return new GatewayError("invalid_json", `The request body is not valid JSON: ${err.message}`);
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
