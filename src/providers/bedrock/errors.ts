/**
 * Bedrock's errors. A non-2xx answer carries the error's name in the
 * `x-amzn-errortype` header (`ValidationException:http://internal.amazon.com/…`,
 * the part before the colon is the name) and `{"message": "..."}` as its body;
 * a stream reports failures as exception frames (`:exception-type`) with the
 * same body. Both become GatewayErrors that keep what a retry policy needs.
 */
import { GatewayError } from "../../core/errors.js";
import type { UpstreamHeaders } from "../_shared/http.js";
import { upstreamStatusError, type ParsedUpstreamError } from "../_shared/upstream-error.js";

/** The error name from `x-amzn-errortype` or, failing that, the body's `__type` / `code`. */
export function errorTypeOf(headers: UpstreamHeaders, body: unknown): string | undefined {
  const raw = headers["x-amzn-errortype"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const fromBody = typeof body === "object" && body !== null ? ((body as { __type?: unknown; code?: unknown }).__type ?? (body as { code?: unknown }).code) : undefined;
  const name = value ?? (typeof fromBody === "string" ? fromBody : undefined);
  if (!name) return undefined;
  // "ValidationException:http://…" or "com.amazon.coral.service#UnrecognizedClientException".
  return name.split(":")[0]?.split("#").pop() || undefined;
}

/** The message of an AWS JSON error body (`message`, or `Message` in some services' shapes). */
export function messageOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as { message?: unknown; Message?: unknown };
  const m = b.message ?? b.Message;
  return typeof m === "string" ? m : undefined;
}

export function parseBedrockError(headers: UpstreamHeaders, body: unknown): ParsedUpstreamError {
  return { message: messageOf(body), code: errorTypeOf(headers, body) ?? null };
}

/** A non-2xx Converse answer → GatewayError. 4xx keep their status; 429s (throttling, model not ready) are retryable. */
export function bedrockStatusError(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  const parsed = parseBedrockError(headers, body);
  // ModelErrorException (424): the model itself failed; the request was fine, so this is the upstream's fault.
  if (parsed.code === "ModelErrorException") {
    return new GatewayError("upstream_error", `Provider '${provider}': the model failed to process the request: ${parsed.message ?? "ModelErrorException"}`, {
      clientCode: parsed.code,
      retryable: true,
    });
  }
  return upstreamStatusError(provider, status, headers, parsed);
}

/** An exception frame in a ConverseStream body → GatewayError, retryable unless the request itself is at fault. */
export function streamExceptionError(provider: string, exceptionType: string, body: unknown): GatewayError {
  const detail = messageOf(body) ?? exceptionType;
  const code = exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1);
  const text = `Provider '${provider}' reported ${exceptionType} mid-stream: ${detail}`;
  switch (exceptionType) {
    case "throttlingException":
      return new GatewayError("rate_limited", text, { clientCode: code, retryable: true });
    case "validationException":
      return new GatewayError("invalid_request", text, { clientCode: code, retryable: false });
    case "serviceUnavailableException":
      return new GatewayError("upstream_unavailable", text, { clientCode: code, retryable: true });
    case "modelTimeoutException":
      return new GatewayError("upstream_timeout", text, { clientCode: code, retryable: true });
    // modelStreamErrorException ("retry your request"), internalServerException and anything new.
    default:
      return new GatewayError("upstream_error", text, { clientCode: code, retryable: true });
  }
}
