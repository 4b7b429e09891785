/**
 * `POST /v1/messages/count_tokens` (the Anthropic SDK's
 * `messages.countTokens`): `{"input_tokens": N}` for a Messages request
 * without max_tokens. The count is the upstream's own where the model's
 * provider has a counting endpoint (Anthropic), else the gateway's
 * tokenizer's (Engine.countTokens). Authenticated on the engine lane like
 * /v1/messages, errors in Anthropic's shape; nothing is generated, so no
 * limits, cache or request-log row apply (the lane still records what it
 * refuses before the route: a bad key, a body that is not JSON). The headers say who counted:
 * x-liaison-provider / x-liaison-model, and x-liaison-attempts 1 when an
 * upstream did, 0 when the tokenizer did.
 */
import { GatewayError } from "../../core/errors.js";
import type { Engine } from "../../engine/engine.js";
import type { LaneRoute } from "../lane-route.js";
import { writeJson } from "../write-answer.js";
import { ANTHROPIC_ROUTE, anthropicCallOptions, anthropicErrorBody, canonicalRequest } from "./anthropic.js";

export const COUNT_TOKENS_ROUTE = "/v1/messages/count_tokens";

export function anthropicCountTokensRoute(engine: Engine): LaneRoute {
  return {
    // The engine's endpoints have no entry of their own for counting: a request the lane refuses
    // (bad key, bad JSON) is recorded under /v1/messages, the protocol it belongs to.
    endpoint: ANTHROPIC_ROUTE,
    errorBody: anthropicErrorBody,
    async serve(call) {
      call.res.setHeader("request-id", call.id);
      try {
        const request = canonicalRequest(engine, call.body, true);
        const count = await engine.countTokens(request, anthropicCallOptions(call));
        writeJson(call.res, {
          requestId: call.id, provider: count.provider, upstreamModel: count.upstreamModel,
          attempts: count.counter === "upstream" ? 1 : 0, costUsd: null, cache: null,
        }, JSON.stringify({ input_tokens: count.inputTokens }));
      } catch (err) {
        // A refused count is the client's answer, not a request-log row ("engaged": the lane records
        // nothing); anything else is a bug the lane reports and records.
        call.engaged = err instanceof GatewayError;
        throw err;
      }
    },
  };
}
