/**
 * `POST /v1/messages`: an Anthropic-compatible endpoint, so Anthropic SDK
 * clients (and tools built on them) can use every model behind the gateway.
 * The request is translated to the canonical format, served by the engine
 * like any chat request, and the answer translated back — streams included,
 * with Anthropic's exact event sequence. Errors take Anthropic's shape.
 *
 * What only Anthropic understands goes to Anthropic alone: fields the
 * canonical format cannot hold pass through when every upstream of the
 * model speaks Anthropic, and are otherwise refused by name (see
 * providers/anthropic/native-fields.ts); the client's anthropic-beta and
 * anthropic-version headers reach Anthropic upstreams only. Answers carry
 * `request-id` beside `x-request-id`, the header Anthropic SDKs read.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { GatewayError } from "../../core/errors.js";
import type { ChatChunk, ChatRequest } from "../../core/types.js";
import { countRequestTokens } from "../../cost/index.js";
import type { CallOptions } from "../../engine/call-options.js";
import type { Engine } from "../../engine/engine.js";
// The inbound codec is a protocol of this server's surface, kept beside the
// Anthropic adapter because both speak the same wire format.
import {
  ANTHROPIC_TYPE, anthropicRequestToCanonical, anthropicSSE, canonicalResponseToAnthropic, CanonicalToAnthropicStream,
  settleNativeFields, speaksAnthropic, toAnthropicError,
} from "../../providers/anthropic/inbound/index.js";
import { callOptions } from "../request-options.js";
import type { SSEFormat } from "../sse.js";
import type { LaneCall, LaneRoute } from "../lane-route.js";
import { writeJson, writeStream } from "../write-answer.js";

export const ANTHROPIC_ROUTE = "/v1/messages";

/** Client headers an Anthropic upstream should see as sent. */
const FORWARDED_HEADERS = ["anthropic-beta", "anthropic-version"] as const;

/** The error body for this route (the error handler calls it). */
export function anthropicErrorBody(err: GatewayError, requestId: string): string {
  return JSON.stringify(toAnthropicError(err.status, err.type, err.message, requestId));
}

/** The call options of an Anthropic-protocol request: the usual ones, and the anthropic-* headers for Anthropic upstreams. */
export function anthropicCallOptions(call: LaneCall): CallOptions {
  const options: CallOptions = { ...callOptions(call), endpoint: ANTHROPIC_ROUTE };
  const forwarded = forwardedHeaders(call.req.headers);
  if (forwarded) options.providerHeaders = { [ANTHROPIC_TYPE]: forwarded };
  return options;
}

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    // A repeated anthropic-beta is one list of flags.
    const text = Array.isArray(value) ? value.join(",") : value;
    if (text) (out ??= {})[name] = text;
  }
  return out;
}

/**
 * Whether every upstream the model can reach — its targets and those of its
 * fallback chains — speaks Anthropic, so fields only Anthropic knows can go
 * through as sent. Resolved only for requests that carry such fields.
 */
export function onlyAnthropic(engine: Engine, model: string): boolean {
  const seen = new Set<string>();
  const queue = [model];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const route = engine.router.resolve(name);
    if (!route.targets.every((t) => speaksAnthropic(t.provider))) return false;
    const m = route.model;
    if (m) queue.push(...m.fallbacks, ...m.context_window_fallbacks, ...m.content_policy_fallbacks);
  }
  return true;
}

/** The request from the body, with its Anthropic-only fields settled for the model's upstreams. */
export function canonicalRequest(engine: Engine, body: unknown, counting = false): ChatRequest {
  const request = anthropicRequestToCanonical(body, { counting });
  settleNativeFields(request, () => onlyAnthropic(engine, request.model));
  return request;
}

function anthropicFormat(model: string, inputTokens: () => number): SSEFormat<ChatChunk> {
  const converter = new CanonicalToAnthropicStream(model, { inputTokens });
  const render = (events: object[]) => events.map(anthropicSSE).join("");
  return {
    render: (chunk) => render(converter.push(chunk)),
    done: () => render(converter.end()),
    error: (err) => anthropicSSE(toAnthropicError(err.status, err.type, err.message)),
  };
}

/** POST /v1/messages on the engine lane. */
export function anthropicRoute(engine: Engine): LaneRoute {
  return {
    endpoint: ANTHROPIC_ROUTE,
    async serve(call) {
      // Kept by writeHead, error answers included: the Anthropic SDKs' _request_id and error.requestID.
      call.res.setHeader("request-id", call.id);
      const options = anthropicCallOptions(call);
      const request = canonicalRequest(engine, call.body);
      call.engaged = true;
      if (request.stream) {
        // Anthropic's message_delta carries the output token count: ask for usage.
        request.stream_options = { include_usage: true };
        const result = await engine.chatStream(request, options);
        // message_start reports the prompt's tokens: the upstream's own when it said them there
        // (an Anthropic upstream), else the tokenizer's, counted only then.
        const counted = () => countRequestTokens(request, result.meta.upstreamModel);
        await writeStream(call.res, result, anthropicFormat(request.model, counted), engine.logger);
        return;
      }
      const result = await engine.chat(request, options);
      writeJson(call.res, result.meta, JSON.stringify(canonicalResponseToAnthropic(result.value, request.model)));
    },
  };
}
