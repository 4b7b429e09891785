import type { GatewayError } from "../../core/errors.js";
import type { UpstreamHeaders } from "../_shared/http.js";
import { upstreamStatusError, type ParsedUpstreamError } from "../_shared/upstream-error.js";

/** OpenAI's error body: `{"error":{"message","type","param","code"}}` (also used by most compatible servers). */
export function parseOpenAIError(body: unknown): ParsedUpstreamError {
  if (typeof body !== "object" || body === null) return {};
  const err = (body as { error?: unknown }).error;
  if (typeof err === "string") return { message: err };
  if (typeof err === "object" && err !== null) {
    const e = err as Record<string, unknown>;
    return {
      message: typeof e.message === "string" ? e.message : undefined,
      type: typeof e.type === "string" ? e.type : undefined,
      code: typeof e.code === "string" ? e.code : typeof e.code === "number" ? String(e.code) : null,
      param: typeof e.param === "string" ? e.param : null,
    };
  }
  const m = (body as { message?: unknown }).message;
  return typeof m === "string" ? { message: m } : {};
}

/** A non-2xx answer → GatewayError, through the mapping every provider shares. */
export function openAIStatusError(provider: string, status: number, headers: UpstreamHeaders, body: unknown): GatewayError {
  return upstreamStatusError(provider, status, headers, parseOpenAIError(body));
}
