/**
 * The text a router scores: the last user turn of a chat (what RouteLLM's
 * routers score too — the earlier turns are context, the last one is the
 * question), or a completion's prompt. Text parts of a multi-part message
 * are joined; images and tool calls carry no words.
 */
export function promptText(request: unknown): string {
  const r = request as { messages?: unknown; prompt?: unknown; input?: unknown } | null;
  if (!r || typeof r !== "object") return "";
  if (Array.isArray(r.messages)) {
    const messages = r.messages as { role?: unknown; content?: unknown }[];
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]?.role === "user") return contentText(messages[i]!.content);
    }
    return messages.map((m) => contentText(m?.content)).join("\n");
  }
  if (typeof r.prompt === "string") return r.prompt;
  if (Array.isArray(r.prompt)) return r.prompt.filter((p): p is string => typeof p === "string").join("\n");
  return "";
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p: { type?: unknown; text?: unknown }) => (p && typeof p.text === "string" ? p.text : "")).filter(Boolean).join("\n");
}

/** An answer's text and finish reason (chat and completions), for the cascade's judge. */
export function answerText(value: unknown): { text: string; finishReason: string | null; toolCalls: boolean } | undefined {
  const choice = (value as { choices?: { message?: { content?: unknown; tool_calls?: unknown[] }; text?: unknown; finish_reason?: unknown }[] } | null)?.choices?.[0];
  if (!choice) return undefined;
  const content = choice.message ? choice.message.content : choice.text;
  return {
    text: typeof content === "string" ? content : contentText(content),
    finishReason: typeof choice.finish_reason === "string" ? choice.finish_reason : null,
    toolCalls: Array.isArray(choice.message?.tool_calls) && choice.message.tool_calls.length > 0,
  };
}
