/**
 * What a route on the engine lane (./engine-lane.ts) is: the endpoint it
 * serves, how it serves one call, and its error body when the protocol has
 * its own (Anthropic's on /v1/messages).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayError } from "../core/errors.js";
import type { Endpoint } from "../engine/call-options.js";
import type { Principal } from "../keys/principal.js";

/** One request on the lane, as a route handler sees it. */
export interface LaneCall {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly principal: Principal;
  readonly body: unknown;
  /** server.max_json_depth (the metadata header is held to it too). */
  readonly maxJsonDepth: number;
  /** Set once the engine has the request: from then on the engine records its outcome. */
  engaged: boolean;
}

export interface LaneRoute {
  endpoint: Endpoint;
  serve(call: LaneCall): Promise<void>;
  /** The route's error body (Anthropic's shape on /v1/messages). */
  errorBody?(err: GatewayError, requestId: string): string;
}
