/**
 * Request classes: the coarse kind of a request, so `adaptive`
 * can learn that a target serves small plain chats well but fails large
 * tool-calling streams. Classification runs on every request, so it is an
 * estimate from string lengths only: no tokenizer, no JSON serialisation.
 */
import type { ChatRequest } from "../../core/types.js";
import type { RequestClass } from "./types.js";

/** The usual rule of thumb for English text with BPE tokenizers. */
export const CHARS_PER_TOKEN = 4;
/** Prompt token thresholds: small < 1k ≤ medium < 8k ≤ large. */
export const MEDIUM_FROM_TOKENS = 1_000;
export const LARGE_FROM_TOKENS = 8_000;
/** Content parts nest (tool results hold parts); deeper than this is not prompt text worth walking. */
const MAX_DEPTH = 4;

/** 3 sizes × tools × stream: small enough for a fixed array per target. */
export const REQUEST_CLASS_COUNT = 12;
const SIZES: readonly RequestClass["size"][] = ["small", "medium", "large"];

/**
 * Accepts the canonical ChatRequest, and tolerates other request bodies
 * (completions `prompt`, embeddings `input`, Anthropic `system`) because the
 * engine may route those too; anything unrecognised counts as small.
 */
export function classify(request: ChatRequest | unknown, stream: boolean): RequestClass {
  // Past the large threshold the exact size does not change the class, so counting may stop there.
  const tokens = estimatePromptTokens(request, LARGE_FROM_TOKENS);
  const size = tokens < MEDIUM_FROM_TOKENS ? "small" : tokens < LARGE_FROM_TOKENS ? "medium" : "large";
  return { size, tools: hasTools(request), stream };
}

/**
 * characters / 4 over the text a model reads. With `capTokens` counting
 * stops once the cap is reached and the result saturates there (cheap for
 * classification); without it the whole prompt is counted (for tpm
 * reservations). Images and files are not counted (see textChars).
 */
export function estimatePromptTokens(request: unknown, capTokens = Number.POSITIVE_INFINITY): number {
  if (!isRecord(request)) return 0;
  const cap = capTokens * CHARS_PER_TOKEN;
  let chars = 0;
  for (const field of ["system", "prompt", "input"] as const) chars += textChars(request[field], 0, cap);
  const messages = request["messages"];
  if (Array.isArray(messages)) {
    for (const m of messages) {
      if (chars >= cap) break;
      if (!isRecord(m)) continue;
      chars += textChars(m["content"], 0, cap);
      // Tool-call arguments are sent back to the model on the next turn, so they are prompt too.
      const calls = m["tool_calls"];
      if (Array.isArray(calls)) {
        for (const c of calls) if (isRecord(c) && isRecord(c["function"])) chars += textChars(c["function"]["arguments"], 0, cap);
      }
    }
  }
  return Math.ceil(Math.min(chars, cap) / CHARS_PER_TOKEN);
}

/** Stable index 0..11 of a class, for per-class arrays. */
export function classIndex(cls: RequestClass): number {
  return SIZES.indexOf(cls.size) * 4 + (cls.tools ? 2 : 0) + (cls.stream ? 1 : 0);
}

function hasTools(request: unknown): boolean {
  if (!isRecord(request)) return false;
  // `functions` is the legacy OpenAI spelling; upstreams treat it the same way.
  const tools = request["tools"] ?? request["functions"];
  return Array.isArray(tools) && tools.length > 0;
}

/**
 * Text only: strings, `text` fields and nested `content` (tool results).
 * Image URLs and audio/file data are skipped on purpose — base64 payloads
 * would make a one-line question with a picture look like a large prompt.
 */
function textChars(value: unknown, depth: number, cap: number): number {
  if (typeof value === "string") return value.length;
  if (depth > MAX_DEPTH) return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) {
      n += textChars(v, depth + 1, cap);
      if (n >= cap) break;
    }
    return n;
  }
  if (!isRecord(value)) return 0;
  return (typeof value["text"] === "string" ? value["text"].length : 0) + textChars(value["content"], depth + 1, cap);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
