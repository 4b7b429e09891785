/**
 * What a semantic lookup compares, and within what. Only the last user
 * message is embedded; everything else that shapes the answer (route, system
 * prompt, earlier turns, tools, tool_choice, response_format, sampling
 * parameters, the team's namespace) goes into the scope, which must match
 * exactly. So "translate this" under two different system prompts, or the
 * same question after two different conversations, never share an answer.
 */
import type { ChatMessage, ChatRequest } from "../core/types.js";
import { canonicalJson } from "./canonical-json.js";
import { outputParameters, sha256, type KeyOptions } from "./exact-key.js";

export interface SemanticParts {
  /** Hash of everything but the last user message's text. */
  scope: string;
  /** The text to embed. */
  text: string;
}

const SCOPE_VERSION = 1;

/** The message's text when it is text only; undefined for images, audio, files (no meaning we can embed). */
function textOnly(message: ChatMessage): string | undefined {
  const c = message.content;
  if (typeof c === "string") return c;
  if (!Array.isArray(c) || c.length === 0) return undefined;
  const texts: string[] = [];
  for (const part of c) {
    if (part.type !== "text") return undefined;
    texts.push(part.text);
  }
  return texts.join("\n");
}

/** Undefined when the request cannot be matched by meaning: the last message is not a user's text. */
export function semanticParts(request: ChatRequest, options: KeyOptions): SemanticParts | undefined {
  const last = request.messages[request.messages.length - 1];
  if (!last || last.role !== "user") return undefined;
  const text = textOnly(last);
  if (text === undefined || text.trim() === "") return undefined;
  // The last message without its content: its name and any extra fields are context too.
  const { content: _content, ...lastRest } = last;
  const scope = sha256(canonicalJson({
    v: SCOPE_VERSION,
    namespace: options.namespace,
    model: options.model,
    params: outputParameters(request),
    history: request.messages.slice(0, -1),
    last: lastRest,
  }));
  return { scope: `${options.namespace}:${scope}`, text };
}
