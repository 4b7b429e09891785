/**
 * Anthropic's token counting, POST /v1/messages/count_tokens: the body is
 * the Messages request the adapter would send, less what counting does not
 * take (max_tokens, stream, sampling, stop sequences, metadata, and native
 * fields such as service_tier); the answer is `{"input_tokens": N}`.
 */
import { GatewayError } from "../../core/errors.js";
import type { MessagesRequest } from "./wire-types.js";

/** MessageCountTokensParams in the SDK's types (sdk-api.md → messages.countTokens). */
const COUNT_FIELDS = [
  "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config", "cache_control", "speed",
  "context_management", "mcp_servers",
] as const;

export function countTokensBody(body: MessagesRequest): Record<string, unknown> {
  const source = body as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of COUNT_FIELDS) if (source[field] !== undefined) out[field] = source[field];
  return out;
}

export function inputTokensOf(json: unknown, provider: string): number {
  const n = (json as { input_tokens?: unknown } | null)?.input_tokens;
  if (typeof n === "number" && Number.isInteger(n) && n >= 0) return n;
  throw new GatewayError("upstream_error", `Provider '${provider}' answered count_tokens without an input_tokens count.`);
}
