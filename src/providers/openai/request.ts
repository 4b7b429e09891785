/**
 * Canonical requests are OpenAI's own shape, so they go upstream as they
 * are, except for the canonical message fields that are the gateway's own
 * extensions (reasoning carried back from Anthropic/Gemini/Ollama answers),
 * which OpenAI's strict message validation would reject. The request is only
 * copied when there is something to remove: the common case allocates nothing.
 */
import type { ChatRequest } from "../../core/types.js";

const GATEWAY_MESSAGE_FIELDS = ["reasoning_content", "thinking_blocks"] as const;

export function toOpenAIChatRequest(request: ChatRequest): ChatRequest {
  const dirty = request.messages.some((m) => GATEWAY_MESSAGE_FIELDS.some((f) => f in m));
  if (!dirty) return request;
  return {
    ...request,
    messages: request.messages.map((m) => {
      if (!GATEWAY_MESSAGE_FIELDS.some((f) => f in m)) return m;
      const copy = { ...m };
      for (const f of GATEWAY_MESSAGE_FIELDS) delete copy[f];
      return copy;
    }),
  };
}
