/**
 * Reading text out of request bodies, and the fakes' token count: words split
 * on whitespace. Not a tokenizer on purpose; tests need counts they can
 * predict by eye, not counts that match a model.
 */

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}

/** Text of a message's `content`: a string, or the text parts of a content array. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string") {
      texts.push((part as { text: string }).text);
    }
  }
  return texts.join(" ");
}

export interface ChatMessageView {
  role: string;
  text: string;
}

export function messageViews(messages: readonly unknown[]): ChatMessageView[] {
  return messages.map((message) => {
    const record = typeof message === "object" && message !== null ? (message as Record<string, unknown>) : {};
    return { role: typeof record.role === "string" ? record.role : "", text: contentText(record.content) };
  });
}

export function lastUserText(messages: readonly ChatMessageView[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "user") return message.text;
  }
  return "";
}

export function promptTokens(messages: readonly ChatMessageView[]): number {
  return messages.reduce((sum, message) => sum + countWords(message.text), 0);
}

/**
 * Cuts text to at most `maxTokens` words (keeping the original spacing), as a
 * model stops at max_tokens; reports whether it had to.
 */
export function limitWords(text: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxTokens === undefined || countWords(text) <= maxTokens) return { text, truncated: false };
  const words = text.match(/\s*\S+/g) ?? [];
  return { text: words.slice(0, maxTokens).join(""), truncated: true };
}

/**
 * Splits text into stream pieces: one per word (with its leading space, the
 * way tokens carry it) by default, or `count` near-equal pieces. Splits on
 * code points so no piece holds half a surrogate pair.
 */
export function streamPieces(text: string, count: number | undefined): string[] {
  if (text === "") return [];
  if (count === undefined) return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [text];
  const chars = Array.from(text);
  const pieces = Math.max(1, Math.min(count, chars.length));
  const out: string[] = [];
  for (let i = 0; i < pieces; i++) {
    out.push(chars.slice(Math.floor((i * chars.length) / pieces), Math.floor(((i + 1) * chars.length) / pieces)).join(""));
  }
  return out;
}
