/**
 * `POST /v1/messages`: an Anthropic-compatible endpoint, so Anthropic SDK
 * clients (and tools built on them) can use every model behind the gateway.
 * The request is translated to the canonical format, served by the engine
 * like any chat request, and the answer translated back — streams included,
 * with Anthropic's exact event sequence. Errors take Anthropic's shape.
 */
import type { GatewayError } from "../../core/errors.js";
import type { ChatChunk } from "../../core/types.js";
import type { Engine } from "../../engine/engine.js";
// The inbound codec is a protocol of this server's surface, kept beside the
// Anthropic adapter because both speak the same wire format.
import {
  anthropicRequestToCanonical, anthropicSSE, canonicalResponseToAnthropic, CanonicalToAnthropicStream, toAnthropicError,
} from "../../providers/anthropic/inbound/index.js";
import { callOptions } from "../request-options.js";
import type { SSEFormat } from "../sse.js";
import type { LaneRoute } from "../lane-route.js";
import { writeJson, writeStream } from "../write-answer.js";

export const ANTHROPIC_ROUTE = "/v1/messages";

/** The error body for this route (the error handler calls it). */
export function anthropicErrorBody(err: GatewayError, requestId: string): string {
  return JSON.stringify(toAnthropicError(err.status, err.type, err.message, requestId));
}

function anthropicFormat(model: string): SSEFormat<ChatChunk> {
  const converter = new CanonicalToAnthropicStream(model);
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
      const options = { ...callOptions(call), endpoint: ANTHROPIC_ROUTE } as const;
      const request = anthropicRequestToCanonical(call.body);
      call.engaged = true;
      if (request.stream) {
        // Anthropic's message_delta carries the output token count: ask for usage.
        request.stream_options = { include_usage: true };
        const result = await engine.chatStream(request, options);
        await writeStream(call.res, result, anthropicFormat(request.model), engine.logger);
        return;
      }
      const result = await engine.chat(request, options);
      writeJson(call.res, result.meta, JSON.stringify(canonicalResponseToAnthropic(result.value, request.model)));
    },
  };
}
