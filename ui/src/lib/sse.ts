/**
 * Server-sent events read from a fetch body: chunks in, whole events out.
 * One parser for the Playground's chat stream and a workflow run's step
 * events (`event:` name, `data:` lines joined with newlines).
 */

export interface SseEvent {
  event: string;
  data: string;
}

export class SseParser {
  #buffer = "";

  /** Feeds a decoded chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.#buffer += chunk.replace(/\r\n?/g, "\n");
    const out: SseEvent[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf("\n\n")) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "event") event = value;
        else if (name === "data") data.push(value);
      }
      if (data.length > 0) out.push({ event, data: data.join("\n") });
    }
    return out;
  }
}

/** The text a chat-completion stream chunk adds (`choices[0].delta.content`). */
export function deltaText(data: string): string {
  if (data === "[DONE]") return "";
  const parsed = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[]; error?: { message?: string } };
  if (parsed.error) throw new Error(parsed.error.message ?? "The stream ended with an error.");
  return parsed.choices?.[0]?.delta?.content ?? "";
}
