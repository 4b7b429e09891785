/**
 * What a caller passes with a request (the server fills it from the HTTP
 * request; library callers may set any of it) and what it gets back besides
 * the answer.
 */
import type { CacheControl, CacheStatus } from "../cache/index.js";
import type { ClientLink } from "../core/client-link.js";
import type { BudgetSubject } from "./quotas/budgets.js";
import type { QuotaSubject } from "./quotas/limits.js";

export type Endpoint = "/v1/chat/completions" | "/v1/completions" | "/v1/embeddings" | "/v1/messages" | "/v1/responses" | "/mcp";

export interface CallOptions {
  /** Defaults to a new id. */
  requestId?: string;
  /** Fires when the client goes away; the upstream call is cancelled. */
  signal?: AbortSignal;
  /** The same, as the HTTP server passes it (cheaper than a signal); wins over `signal`. */
  client?: ClientLink;
  /** Total time budget for this request (x-liaison-timeout-ms). */
  timeoutMs?: number;
  /** Tags kept with the log row (x-liaison-metadata). */
  metadata?: Record<string, unknown> | null;
  keyId?: string | null;
  teamId?: string | null;
  /** Whose limits and budgets this request counts against (the key and its team), set by authentication. */
  subjects?: (QuotaSubject & BudgetSubject)[];
  traceId?: string | null;
  /** The client's cache controls (Cache-Control, x-liaison-cache, x-liaison-cache-ttl); default: read and write. */
  cache?: CacheControl;
  /** The client's W3C traceparent header: the request's spans continue its trace, and the upstream sees it. */
  traceparent?: string;
  /**
   * Client headers for one wire protocol's upstreams, keyed by adapter type
   * (`anthropic-beta` under "anthropic"): only that protocol's adapter sends them.
   */
  providerHeaders?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The route the request came in on, when it is not the operation's own (e.g. /v1/messages → chat). */
  endpoint?: Endpoint;
  /** The registry prompt the request was rendered from (src/prompts): kept in its log row's prompt and prompt_version. */
  prompt?: { name: string; version: number };
}

export interface CallMeta {
  requestId: string;
  provider: string;
  upstreamModel: string;
  attempts: number;
  /** USD, when the model's price is known (x-liaison-cost-usd). */
  costUsd: number | null;
  /** The response cache's verdict; null when the operation is not cached. */
  cache: CacheStatus | null;
  /** x-ratelimit-* for the caller's key/team, when it has limits. */
  rateLimitHeaders?: Record<string, string>;
  /** The learned router's score for the prompt (x-liaison-route-score), when a learned or cascade route scored it. */
  routeScore?: number;
}

/** How one MCP tool call went, for its log row, metrics and span (Engine.openToolCall). */
export interface ToolCallOutcome {
  /** HTTP-like: 200 for an answer (a tool's own isError result included), else the refusal's or failure's status. */
  status: number;
  /** null for a clean answer; `tool_error` for an isError result; else why the call failed. */
  errorCode: string | null;
  message?: string;
  /** The tool's result, kept with logging.bodies. */
  result?: unknown;
}

/** One MCP tool call being recorded: told when it reaches a server, then ended once. */
export interface ToolCallRecord {
  readonly requestId: string;
  /** The call went to `server`'s tool `upstreamTool` (a call refused before it never does). */
  reached(server: string, upstreamTool: string): void;
  /** Later calls do nothing. */
  end(outcome: ToolCallOutcome): void;
}
