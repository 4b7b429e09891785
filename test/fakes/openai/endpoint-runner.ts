/**
 * Runs the shared OpenAI-wire endpoint handlers for a fake's front, and in
 * fast mode serves each distinct request shape from cached bytes so that a
 * benchmark measures the gateway, not JSON.stringify in the fake.
 */
import { handleChatCompletions } from "./chat-completions.js";
import { handleEmbeddings } from "./embeddings.js";
import type { EndpointHandler } from "./endpoint-handler.js";
import { createIdSource } from "../_shared/fake-ids.js";
import type { FakeBehaviour } from "../_shared/fake-options.js";
import { freezeReply, type Reply } from "../_shared/reply.js";
import { handleTextCompletions } from "./text-completions.js";
import type { WireAnnotations } from "../_shared/wire-dialect.js";

const ENDPOINTS = {
  "chat/completions": handleChatCompletions,
  completions: handleTextCompletions,
  embeddings: handleEmbeddings,
} satisfies Record<string, EndpointHandler>;

export type EndpointName = keyof typeof ENDPOINTS;

/** The endpoint a path suffix names ("chat/completions", …), if any. */
export function endpointNamed(suffix: string): EndpointName | undefined {
  return Object.hasOwn(ENDPOINTS, suffix) ? (suffix as EndpointName) : undefined;
}

export interface EndpointRunner {
  run(endpoint: EndpointName, body: Record<string, unknown>, model: string): Reply;
}

function itemCount(value: unknown): number {
  return Array.isArray(value) && typeof value[0] !== "number" ? value.length : 1;
}

/**
 * Everything a fast-mode reply depends on. The prompt is not part of it:
 * fast mode ignores the prompt, which is what makes the cache possible.
 */
function fastKey(endpoint: EndpointName, model: string, body: Record<string, unknown>): string {
  const options = body.stream_options as Record<string, unknown> | undefined;
  return [
    endpoint,
    model,
    body.stream === true,
    options?.include_usage === true,
    options?.include_obfuscation === false,
    body.n,
    body.max_tokens ?? body.max_completion_tokens,
    body.encoding_format,
    body.dimensions,
    itemCount(endpoint === "completions" ? body.prompt : body.input),
  ].join("|");
}

export function createEndpointRunner(behaviour: FakeBehaviour, annotations: WireAnnotations | undefined): EndpointRunner {
  const ids = createIdSource();
  const cache = new Map<string, Reply>();
  return {
    run(endpoint, body, model) {
      const handler: EndpointHandler = ENDPOINTS[endpoint];
      const input = { body, model, behaviour, ids, annotations };
      if (!behaviour.fast) return handler(input);
      const key = fastKey(endpoint, model, body);
      const cached = cache.get(key);
      if (cached !== undefined) return cached;
      const reply = freezeReply(handler(input));
      // Errors depend on fields outside the key, so only successes are reused.
      if (reply.status === 200) cache.set(key, reply);
      return reply;
    },
  };
}
