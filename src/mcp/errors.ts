/**
 * Every way an MCP request through the gateway can fail, in one catalog: a
 * stable reason (the log row's error_code and the JSON-RPC error's
 * `data.reason`), its JSON-RPC code, and the HTTP-like status its log row
 * gets. All of them reach the client as JSON-RPC errors on its session — never
 * as `isError` tool results, never as HTTP errors that would end the session.
 */
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";

export type McpReason =
  | "tool_not_found" | "prompt_not_found" | "resource_not_found" | "invalid_params"
  | "tool_not_allowed" | "not_allowed" | "rate_limit_exceeded" | "limits_unavailable"
  | "mcp_server_unavailable" | "mcp_timeout" | "upstream_error"
  | "client_closed" | "internal_error";

/** JSON-RPC codes the spec leaves to servers (-32000 to -32099), chosen once. */
export const MCP_CODES = { resourceNotFound: -32002, toolNotAllowed: -32003, serverUnavailable: -32010, rateLimited: -32029 } as const;

const CATALOG: Record<McpReason, { rpc: number; status: number }> = {
  // The spec's own codes: InvalidParams for an unknown tool or prompt, -32002 for an unknown resource.
  tool_not_found: { rpc: ErrorCode.InvalidParams, status: 404 },
  prompt_not_found: { rpc: ErrorCode.InvalidParams, status: 404 },
  resource_not_found: { rpc: MCP_CODES.resourceNotFound, status: 404 },
  invalid_params: { rpc: ErrorCode.InvalidParams, status: 400 },
  tool_not_allowed: { rpc: MCP_CODES.toolNotAllowed, status: 403 },
  // A prompt or resource the key's mcp_tools do not allow.
  not_allowed: { rpc: MCP_CODES.toolNotAllowed, status: 403 },
  rate_limit_exceeded: { rpc: MCP_CODES.rateLimited, status: 429 },
  // Limits could not be checked (Redis unreachable under limits.redis_failure: closed): not the caller's doing.
  limits_unavailable: { rpc: MCP_CODES.rateLimited, status: 503 },
  mcp_server_unavailable: { rpc: MCP_CODES.serverUnavailable, status: 503 },
  // The SDK's own code for a request that timed out, so clients handle both alike.
  mcp_timeout: { rpc: ErrorCode.RequestTimeout, status: 504 },
  // An upstream's own JSON-RPC error keeps its code; this is the fallback.
  upstream_error: { rpc: ErrorCode.InternalError, status: 502 },
  client_closed: { rpc: ErrorCode.ConnectionClosed, status: 499 },
  internal_error: { rpc: ErrorCode.InternalError, status: 500 },
};

/**
 * Thrown from a request handler of the SDK's low-level Server, which answers
 * with its `code`, `message` and `data`. Not an McpError: that class prefixes
 * "MCP error <code>:" to the message, and the client's SDK prefixes it again.
 */
export class McpCallError extends Error {
  readonly code: number;
  readonly status: number;
  readonly data: { reason: McpReason } & Record<string, unknown>;

  constructor(readonly reason: McpReason, message: string, extra: { rpc?: number; data?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "McpCallError";
    this.code = extra.rpc ?? CATALOG[reason].rpc;
    this.status = CATALOG[reason].status;
    this.data = { reason, ...extra.data };
  }
}

const SDK_PREFIX = /^MCP error -?\d+: /;

/** An error's text with its cause (fetch's "fetch failed" says nothing without ECONNREFUSED). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const why = cause ? String(cause.code ?? cause.message ?? "") : "";
  const text = err.message.replace(SDK_PREFIX, "");
  return why && !text.includes(why) ? `${text} (${why})` : text;
}

/**
 * What a failed upstream request becomes. `transport`: the failure says the
 * server is not reachable or not running (the caller marks it down and, for
 * an HTTP server, counts it against the breaker).
 */
export function fromUpstream(server: string, err: unknown, timeoutMs: number): { error: McpCallError; transport: boolean } {
  if (err instanceof McpCallError) return { error: err, transport: false };
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) {
      return { error: new McpCallError("mcp_timeout", `MCP server '${server}' did not answer within ${timeoutMs} ms.`), transport: true };
    }
    if (err.code === ErrorCode.ConnectionClosed) {
      return { error: new McpCallError("mcp_server_unavailable", `MCP server '${server}' closed the connection during the request (it exited or is restarting).`), transport: true };
    }
    // The server answered with a JSON-RPC error of its own: passed on as it is.
    const reason: McpReason = err.code === ErrorCode.InvalidParams ? "invalid_params" : "upstream_error";
    return { error: new McpCallError(reason, describeError(err), { rpc: err.code, ...(err.data !== undefined ? { data: { upstream: err.data } } : {}) }), transport: false };
  }
  if (err instanceof Error && err.name === "AbortError") {
    return { error: new McpCallError("client_closed", "The request was cancelled."), transport: false };
  }
  return { error: new McpCallError("mcp_server_unavailable", `MCP server '${server}' cannot be reached: ${describeError(err)}`), transport: true };
}

export function internalError(err: unknown): McpCallError {
  return new McpCallError("internal_error", `The gateway failed to handle the request: ${describeError(err)}`);
}
