/**
 * The exact-cache key: a hash of everything in a chat request that can
 * change the answer, and nothing that cannot.
 */
import { createHash } from "node:crypto";
import type { ChatRequest } from "../core/types.js";
import { canonicalJson } from "./canonical-json.js";

/**
 * Top-level request fields that do not change what the model answers, so two
 * requests differing only in these share an entry:
 * - `model`: replaced by the route name after alias resolution (`KeyOptions.model`);
 * - `stream`, `stream_options`: a stream and a non-stream request share an answer;
 * - `user`, `safety_identifier`: end-user ids for abuse monitoring;
 * - `metadata`, `store`: what the provider keeps about the call, not the call;
 * - `service_tier`: latency and price, same model and output;
 * - `prompt_cache_key`, `prompt_cache_retention`: hints for the provider's own prompt cache.
 * Every other field counts, including ones this gateway does not know: an
 * unknown parameter might change the output, and a missed hit only costs money.
 */
export const IGNORED_REQUEST_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "stream",
  "stream_options",
  "user",
  "safety_identifier",
  "metadata",
  "store",
  "service_tier",
  "prompt_cache_key",
  "prompt_cache_retention",
]);

export interface KeyOptions {
  /** The route name the request resolved to (after aliases), e.g. `smart` or `openai/gpt-4o`. */
  model: string;
  /** Whose entries these are (see cacheNamespace); part of the key, so teams never share an entry. */
  namespace: string;
}

// Bumped when the normalization changes, so old entries stop matching instead of matching wrongly.
const KEY_VERSION = 1;

/**
 * The request's output-relevant parameters (everything but messages), in
 * canonical form. A top-level `null` means "the provider's default" in the
 * OpenAI API, the same as leaving the field out, so it is dropped.
 */
export function outputParameters(request: ChatRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) {
    if (k === "messages" || IGNORED_REQUEST_FIELDS.has(k) || v === null || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `<namespace>:<sha256 hex>`: the namespace is readable in the key (and also hashed, so no two namespaces can collide). */
export function exactKey(request: ChatRequest, options: KeyOptions): string {
  const canonical = canonicalJson({
    v: KEY_VERSION,
    namespace: options.namespace,
    model: options.model,
    params: outputParameters(request),
    messages: request.messages,
  });
  return `${options.namespace}:${sha256(canonical)}`;
}
