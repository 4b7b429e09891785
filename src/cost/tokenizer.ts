/**
 * Token counting with gpt-tokenizer, for what upstreams do not report:
 * prompt estimates before a call (token limits reserve them) and usage of
 * streams that end without a usage chunk.
 *
 * Encodings: o200k_base for gpt-4o, gpt-4.1, gpt-4.5, the o-series and
 * gpt-5 (what OpenAI uses for them); cl100k_base for everything else. For
 * Claude, Gemini, Llama, Mistral and the rest this is an approximation:
 * their tokenizers are not public or not shipped, and cl100k is within
 * about 10-20% on English text, which is what a reservation or an estimate
 * for a usage-less stream needs. Counts are never used where the upstream
 * reported real usage.
 *
 * Encodings are loaded on first use (each holds a few MB of ranks and costs
 * ~100 ms to build), synchronously through require so the hot path stays a
 * plain function call.
 */
import { createRequire } from "node:module";
import type { ChatMessage, ChatRequest, ToolDefinition } from "../core/types.js";

export type EncodingName = "o200k_base" | "cl100k_base";

interface Encoding {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

const require = createRequire(import.meta.url);
const loaded = new Map<EncodingName, Encoding>();

function encoding(name: EncodingName): Encoding {
  let enc = loaded.get(name);
  if (!enc) {
    // The CommonJS build: a synchronous load on first use (see the header).
    enc = require(`gpt-tokenizer/cjs/encoding/${name}`) as Encoding;
    loaded.set(name, enc);
  }
  return enc;
}

/** Loads encodings now (at start-up), so the first request does not pay their ~100-250 ms build. */
export function preloadEncodings(names: readonly EncodingName[] = ["o200k_base", "cl100k_base"]): void {
  for (const name of names) encoding(name);
}

// gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, chatgpt-4o*, o1/o3/o4*, gpt-oss*, after any provider prefix.
const O200K = /^(?:.*\/)?(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o[1-9](?:-|$)|gpt-oss|codex-)/i;

export function encodingFor(model: string | undefined): EncodingName {
  return model !== undefined && O200K.test(model) ? "o200k_base" : "cl100k_base";
}

// User text is counted as text: "<|endoftext|>" in a prompt is 7 tokens, not
// a special token (and not an exception, gpt-tokenizer's default).
const AS_TEXT = { disallowedSpecial: new Set<string>() };

// Short strings (roles, names, tool names, short replies) repeat across
// requests; remembering them skips the BPE entirely. Bounded, cleared when full.
const SHORT = 64;
const MEMO_LIMIT = 4096;
const memo = new Map<string, number>();

/** Tokens in a piece of text, in the encoding the model uses (or approximates). */
export function countTokens(text: string, model?: string): number {
  if (text.length === 0) return 0;
  const name = encodingFor(model);
  if (text.length <= SHORT) {
    const key = name === "o200k_base" ? `o${text}` : `c${text}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const n = encoding(name).countTokens(text, AS_TEXT);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, n);
    return n;
  }
  return encoding(name).countTokens(text, AS_TEXT);
}

/**
 * OpenAI's chat framing (the cookbook's num_tokens_from_messages, which
 * matches the API's prompt_tokens for gpt-3.5/4/4o): every message costs 3
 * tokens of framing plus its fields, a name 1 more, and the reply is primed
 * with 3.
 */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const REPLY_PRIMING = 3;
/**
 * An image part, whose size the gateway does not decode: OpenAI's cost of a
 * 1024×1024 high-detail image (85 + 4 tiles × 170); low detail is 85.
 */
export const IMAGE_TOKENS = { low: 85, high: 765 } as const;

function contentTokens(content: ChatMessage["content"], model: string | undefined): number {
  if (typeof content === "string") return countTokens(content, model);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    if (part.type === "text") n += countTokens(part.text, model);
    else if (part.type === "image_url") n += part.image_url.detail === "low" ? IMAGE_TOKENS.low : IMAGE_TOKENS.high;
    else if (part.type === "refusal") n += countTokens(part.refusal, model);
    // Audio and files: no size to go on without decoding them; counted as their JSON.
    else n += countTokens(JSON.stringify(part), model);
  }
  return n;
}

/** Prompt tokens of a list of chat messages, framing and reply priming included. */
export function countChatTokens(messages: readonly ChatMessage[], model?: string): number {
  let n = REPLY_PRIMING;
  for (const m of messages) {
    n += TOKENS_PER_MESSAGE + countTokens(m.role, model) + contentTokens(m.content, model);
    if (typeof m.name === "string") n += TOKENS_PER_NAME + countTokens(m.name, model);
    for (const call of m.tool_calls ?? []) {
      // OpenAI renders each call as its name and JSON arguments with a little framing.
      n += TOKENS_PER_MESSAGE + countTokens(call.function.name, model) + countTokens(call.function.arguments, model);
    }
    if (typeof m.tool_call_id === "string") n += countTokens(m.tool_call_id, model);
  }
  return n;
}

/**
 * Tool definitions. OpenAI renders them into a TypeScript-like namespace in
 * the system prompt; counting their JSON lands within a few percent of it.
 */
export function countToolTokens(tools: readonly ToolDefinition[] | undefined, model?: string): number {
  if (!tools || tools.length === 0) return 0;
  return countTokens(JSON.stringify(tools), model);
}

/** The prompt tokens a chat request will be billed for, as best the gateway can tell before sending it. */
export function countRequestTokens(request: Pick<ChatRequest, "messages" | "tools" | "model">, model: string = request.model): number {
  return countChatTokens(request.messages, model) + countToolTokens(request.tools, model);
}
