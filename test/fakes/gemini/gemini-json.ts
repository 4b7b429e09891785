/**
 * Google's two JSON layouts, so recorded bodies match byte for byte:
 * non-stream bodies are pretty-printed with two-space indents (what
 * JSON.stringify(value, null, 2) writes), and each `alt=sse` event is one
 * line with a space after every colon and none after commas:
 *   {"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"},"index": 0}],"modelVersion": "gemini-2.5-flash"}
 */

export function googlePretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function googleLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(googleLine).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${googleLine(v)}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** One SSE frame as Google frames them: `data: ` + the event, CRLF line endings. */
export function googleSseFrame(value: unknown): string {
  return `data: ${googleLine(value)}\r\n\r\n`;
}
