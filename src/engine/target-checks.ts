/**
 * What the engine checks about a target before an attempt, and how it reads
 * an answer that should still move on: pure functions, no I/O.
 */
import { GatewayError } from "../core/errors.js";
import type { ChatRequest, ChatResponse } from "../core/types.js";
import type { Capabilities } from "../providers/types.js";
import type { Route } from "./router.js";
import type { TargetRef } from "./routing/types.js";

export type Operation = keyof Capabilities;

/**
 * The request as the target will get it, after checking that the target can
 * serve it: a request it cannot serve gets a clear 400 before anything is sent.
 */
export function chatFor(target: TargetRef, request: ChatRequest, stream: boolean): ChatRequest {
  const out = { ...request, model: target.model, stream };
  const { provider } = target;
  const caps = provider.capabilities;
  const refuse = (what: string) => {
    throw new GatewayError("unsupported_operation",
      `Model '${request.model}' is served by provider '${provider.name}' (${provider.type}) with model '${target.model}', which ${what}.`, { param: "messages" });
  };
  if (caps.tools === false && (request.tools?.length || request.messages.some((m) => m.tool_calls?.length))) refuse("does not support tools");
  if (caps.vision === false && request.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === "image_url"))) {
    refuse("does not accept images");
  }
  const reason = provider.unsupported?.(out);
  if (reason) refuse(reason);
  return out;
}

/** chatFor once per target: the capability check builds the request the attempt then sends. */
export function preparedChat(request: ChatRequest, stream: boolean): { check(target: TargetRef): void; for(target: TargetRef): ChatRequest } {
  let last: { target: TargetRef; request: ChatRequest } | undefined;
  const build = (target: TargetRef) => {
    if (last?.target !== target) last = { target, request: chatFor(target, request, stream) };
    return last.request;
  };
  return { check: (target) => void build(target), for: build };
}

/** The operation itself must be one the target's provider offers. */
export function checkOperation(target: TargetRef, op: Operation, model: string | null): void {
  const p = target.provider;
  const can = p.capabilities[op] && (op !== "completions" || p.completions) && (op !== "embeddings" || p.embed);
  if (!can) {
    throw new GatewayError("unsupported_operation",
      `Model '${model}' is served by provider '${p.name}' (${p.type}), which does not support ${op}.`, { param: "model" });
  }
}

/**
 * A 200 that is a content-policy refusal (every choice ended in
 * content_filter with nothing said) moves on to the route's content-policy
 * fallbacks, when it has any; otherwise it is the answer.
 */
export function contentRefusal(res: ChatResponse, route: Route): GatewayError | undefined {
  if (!route.model?.content_policy_fallbacks.length) return undefined;
  const refused = res.choices.length > 0 && res.choices.every((c) => c.finish_reason === "content_filter" && !c.message.content && !c.message.tool_calls?.length);
  return refused ? new GatewayError("content_refused", `Provider refused the request on content policy.`, { retryable: false }) : undefined;
}

