/**
 * Tool-call ids, and the thought signatures that ride on them.
 *
 * Gemini's function calls have no id the OpenAI format could use (the
 * optional FunctionCall.id is rarely set), so the gateway makes one. Thinking
 * models also attach a `thoughtSignature` to a call, and Gemini 3 refuses a
 * conversation whose earlier function calls come back without it (400). An
 * OpenAI client only ever echoes the call id, so the signature travels inside
 * it, base64url-encoded so the id stays within [A-Za-z0-9_-] (the pattern
 * Anthropic and Bedrock demand of tool ids): `call_<random>__thought__<sig>`.
 * Clients that keep Google's own OpenAI-compatible field
 * (`extra_content.google.thought_signature` on the tool call) work too.
 */
import { newId } from "../../core/ids.js";

const SEPARATOR = "__thought__";

/**
 * The placeholder Google documents for calls that never had a signature
 * (history from another model or provider): Gemini 3 accepts it instead of
 * failing the request.
 */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

/** Standard base64 (how proto bytes appear in JSON) ⇄ base64url without padding; both directions are lossless. */
function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function fromBase64Url(url: string): string {
  const base64 = url.replace(/-/g, "+").replace(/_/g, "/");
  return base64 + "=".repeat((4 - (base64.length % 4)) % 4);
}

export function toolCallId(upstreamId: string | undefined, signature: string | undefined): string {
  const base = upstreamId || newId("call");
  return signature ? `${base}${SEPARATOR}${toBase64Url(signature)}` : base;
}

// What newId("call") makes: the gateway's own ids, which Gemini never issued.
const GATEWAY_ID = /^call_[0-9a-f]{24}$/;

/**
 * The FunctionCall.id to send back for a tool call: Gemini asks for its own
 * ids on the replayed call and on the matching functionResponse, so that
 * several calls of one function are told apart. Ids the gateway made are not
 * sent (Gemini never saw them); ids from elsewhere are sent as they are, the
 * same on the call and on its response.
 */
export function upstreamCallId(id: string): string | undefined {
  const at = id.indexOf(SEPARATOR);
  const base = at === -1 ? id : id.slice(0, at);
  return base === "" || GATEWAY_ID.test(base) ? undefined : base;
}

/** The signature carried by a tool call, from its id or from Google's extra_content field. */
export function thoughtSignatureOf(call: { id: string; [extra: string]: unknown }): string | undefined {
  const at = call.id.indexOf(SEPARATOR);
  if (at !== -1) {
    const encoded = call.id.slice(at + SEPARATOR.length);
    return encoded === "" ? undefined : fromBase64Url(encoded);
  }
  const extra = call.extra_content as { google?: { thought_signature?: unknown } } | undefined;
  const signature = extra?.google?.thought_signature;
  return typeof signature === "string" && signature !== "" ? signature : undefined;
}

/**
 * Whether a model validates thought signatures on replayed function calls
 * (Gemini 3 and later). Older models do not, so they are sent nothing extra.
 */
export function requiresThoughtSignatures(model: string): boolean {
  const match = /^(?:models\/)?gemini-(\d+)/.exec(model);
  return match !== null && Number(match[1]) >= 3;
}
