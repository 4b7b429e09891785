/**
 * Reading a canonical request the way the properties need it: the texts and
 * images of a message, its tool calls with parsed arguments, the effective
 * generation parameters. Shared by the per-provider property files.
 */
import type { ChatMessage, ChatRequest, ContentPart } from "../../src/core/types.js";

/** The text pieces of a content, in order ("" pieces left out: every mapper drops them). */
export function textsOf(content: ChatMessage["content"]): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [content];
  return content.flatMap((p) => (p.type === "text" && p.text !== "" ? [p.text] : []));
}

export function imageUrlsOf(content: ChatMessage["content"]): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((p: ContentPart) => (p.type === "image_url" ? [p.image_url.url] : []));
}

export const isHttpsUrl = (url: string): boolean => /^https:\/\//i.test(url);

/** `data:<type>;base64,<data>` → its pieces. */
export function parseDataUrl(url: string): { mediaType: string; data: string } {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (match === null) throw new Error(`not a base64 data: URL: ${url}`);
  return { mediaType: match[1]!, data: match[2]! };
}

export interface CallView { id: string; name: string; args: unknown }

export function callsOf(message: ChatMessage): CallView[] {
  return (message.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown }));
}

/** Every tool call of the conversation by id. */
export function callsById(request: ChatRequest): Map<string, CallView> {
  return new Map(request.messages.flatMap(callsOf).map((c) => [c.id, c]));
}

/** `messages[i].content[j].image_url.url` of the first https image, as a mapper names it in a 400. */
export function firstHttpsImageParam(request: ChatRequest): string | undefined {
  for (const [i, m] of request.messages.entries()) {
    if (!Array.isArray(m.content)) continue;
    const j = m.content.findIndex((p) => p.type === "image_url" && isHttpsUrl(p.image_url.url));
    if (j !== -1) return `messages[${i}].content[${j}].image_url.url`;
  }
  return undefined;
}

export function maxTokensOf(request: ChatRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}

export function stopsOf(request: ChatRequest): string[] | undefined {
  if (request.stop === undefined || request.stop === null) return undefined;
  return typeof request.stop === "string" ? [request.stop] : request.stop;
}

/** The properties of a tool's parameters schema as [name, JSON type] pairs, in order. */
export function propertyTypes(parameters: Record<string, unknown> | undefined): [string, string][] {
  const properties = (parameters?.properties ?? {}) as Record<string, { type?: unknown }>;
  return Object.entries(properties).map(([name, schema]) => [name, String(schema.type)]);
}

/** A tool result's text read as a JSON object, when it is one. */
export function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A canonical assistant answer reduced to what the properties compare: its text and its calls. */
export interface AnswerView { text: string | null; calls: CallView[] }

export function answerOf(message: ChatMessage): AnswerView {
  const text = message.content === null || message.content === undefined ? null : textsOf(message.content).join("");
  return { text, calls: callsOf(message) };
}

/** What an answer of `texts` and `calls` must read as: OpenAI's null content beside calls when there is no text. */
export function expectedAnswer(texts: string[], calls: CallView[]): AnswerView {
  const text = texts.join("");
  return { text: text === "" && calls.length > 0 ? null : text, calls };
}

/** A value as it arrives from the network: JSON text parsed again. */
export function overTheWire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
