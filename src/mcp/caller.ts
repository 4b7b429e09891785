/**
 * Who sent an MCP message. The HTTP route authenticates every request to
 * /mcp and hands its caller to the SDK's transport as `authInfo`, which the
 * SDK passes to each request handler: so a handler judges the key of the
 * request that carried the message (a key revoked or narrowed mid-session
 * takes effect at once), not the one that opened the session.
 */
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { newId } from "../core/ids.js";
import type { CallOptions } from "../engine/call-options.js";
import type { Principal } from "../keys/principal.js";
import { internalError } from "./errors.js";

export interface McpCaller {
  readonly principal: Principal;
  /** From the HTTP request: key, team, their limits (subjects), traceparent, metadata, x-liaison-timeout-ms. */
  readonly options: CallOptions;
  /** The HTTP request's id for its first tool call (its x-request-id), a new one for any other. */
  requestId(): string;
}

export function createCaller(principal: Principal, options: CallOptions): McpCaller {
  let first = options.requestId;
  return {
    principal,
    options,
    requestId() {
      const id = first ?? newId("req");
      first = undefined;
      return id;
    },
  };
}

/** A session belongs to the key that opened it: `key:<id>`, or `admin` for the admin key (and dev mode). */
export function ownerOf(principal: Principal): string {
  return principal.kind === "key" ? `key:${principal.key.id}` : "admin";
}

const CALLER = "liaison.caller";

/** What the route passes to StreamableHTTPServerTransport.handleRequest (as `req.auth`). No secret in it. */
export function authInfoOf(caller: McpCaller): AuthInfo {
  return { token: "", clientId: ownerOf(caller.principal), scopes: [], extra: { [CALLER]: caller } };
}

/** The caller of the message a handler serves; only the route's authInfo carries one. */
export function callerOf(extra: { authInfo?: AuthInfo }): McpCaller {
  const caller = extra.authInfo?.extra?.[CALLER];
  if (caller === undefined) throw internalError(new Error("an MCP message arrived without its authenticated caller"));
  return caller as McpCaller; // only authInfoOf puts it there
}
