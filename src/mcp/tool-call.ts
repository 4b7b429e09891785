/**
 * One tools/call through the gateway, in order: the caller's mcp_tools, the
 * tool's server, the caller's rpm (and parallel) limits, then the call on the
 * server within its timeout. Whatever happens, it gets its log row, metrics
 * and span (Engine.openToolCall); every failure is a JSON-RPC error.
 */
import { CallToolResultSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Engine } from "../engine/engine.js";
import { limitError } from "../engine/quotas/index.js";
import type { McpCaller } from "./caller.js";
import { internalError, McpCallError } from "./errors.js";
import type { McpHub } from "./hub.js";
import { mayUse } from "./permissions.js";

export interface ToolCallDeps {
  engine: Pick<Engine, "openToolCall" | "quotas">;
  hub: McpHub;
}

export interface ToolCallParams {
  name: string;
  arguments?: Record<string, unknown> | undefined;
}

export async function callTool(d: ToolCallDeps, caller: McpCaller, params: ToolCallParams, signal?: AbortSignal): Promise<CallToolResult> {
  const record = d.engine.openToolCall(params.name, params.arguments ?? {}, { ...caller.options, requestId: caller.requestId() });
  let release: (() => void) | undefined;
  try {
    // Permission first: a name the key may not use is refused alike whether or not it exists.
    if (!mayUse(caller.principal, params.name)) {
      throw new McpCallError("tool_not_allowed", `This key may not call the tool '${params.name}' (its mcp_tools, or its team's, do not allow it).`);
    }
    const target = d.hub.resolve(params.name, "tools");
    if (!target) throw new McpCallError("tool_not_found", `Unknown tool: ${params.name}. The gateway's tools are named SERVER__tool; tools/list shows them.`);
    const subjects = caller.options.subjects ?? [];
    if (subjects.length) {
      const admission = await d.engine.quotas.gate.admit(subjects, 0);
      if (!admission.ok) {
        const e = limitError(admission);
        throw new McpCallError(admission.limit === "unavailable" ? "limits_unavailable" : "rate_limit_exceeded", e.message, { data: { retry_after_seconds: admission.retryAfterSeconds } });
      }
      release = () => admission.release(0);
    }
    record.reached(target.upstream.name, target.name);
    const result = await target.upstream.request(
      // A plain request, not Client.callTool: the result passes through as the server sent it (the client at the other end validates it).
      (client, options) => client.request({ method: "tools/call", params: { name: target.name, ...(params.arguments ? { arguments: params.arguments } : {}) } }, CallToolResultSchema, options),
      callTimeout(target.upstream, caller),
      signal,
    );
    // A tool's own error result is an answer: the client gets it as it is; the row says so.
    record.end({ status: 200, errorCode: result.isError ? "tool_error" : null, result });
    return result;
  } catch (err) {
    const e = err instanceof McpCallError ? err : internalError(err);
    record.end({ status: e.status, errorCode: e.reason, message: e.message });
    throw e;
  } finally {
    release?.();
  }
}

/** A request's timeout: its server's (mcp.timeout_ms or the server's own), or the client's x-liaison-timeout-ms when shorter. */
export function callTimeout(upstream: { timeoutMs: number }, caller: McpCaller): number {
  return Math.min(upstream.timeoutMs, caller.options.timeoutMs ?? Infinity);
}
