/**
 * POST /v1/messages/count_tokens, as api.anthropic.com answers it:
 * `{"input_tokens": N}` for the fields a Messages request would send
 * (no max_tokens), with the same checks on what it shares with /v1/messages.
 * The count is the fake's own (words, see anthropic-messages.ts), so it is
 * the input_tokens the same request reports in /v1/messages usage.
 */
import { anthropicErrors } from "./anthropic-dialect.js";
import { inputTokensOf, outputConfigError } from "./anthropic-messages.js";
import { jsonReply, type Reply } from "../_shared/reply.js";

/** MessageCountTokensParams in the SDK's types (sdk-api.md → messages.countTokens). */
const COUNT_FIELDS = new Set([
  "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config", "cache_control", "speed",
  "context_management", "mcp_servers",
]);

export function countTokensReply(body: Record<string, unknown>, models: ReadonlySet<string>): Reply {
  for (const field of ["model", "messages"]) {
    if (body[field] === undefined) return anthropicErrors.invalidRequest(`${field}: Field required`);
  }
  const extra = Object.keys(body).find((k) => !COUNT_FIELDS.has(k));
  if (extra !== undefined) return anthropicErrors.invalidRequest(`${extra}: Extra inputs are not permitted`);
  if (typeof body.model !== "string" || !models.has(body.model)) return anthropicErrors.modelNotFound(String(body.model));
  if (!Array.isArray(body.messages)) return anthropicErrors.invalidRequest("messages: Input should be a valid list");
  const outputError = outputConfigError(body);
  if (outputError !== undefined) return anthropicErrors.invalidRequest(outputError);
  return jsonReply(200, { input_tokens: inputTokensOf(body) });
}
