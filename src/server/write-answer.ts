/**
 * How an answer is written on the engine lane: the gateway's headers
 * (DESIGN.md §2) on every answer, a whole JSON body in one write, or a
 * stream as server-sent events in the route's own framing.
 */
import type { ServerResponse } from "node:http";
import { formatUsd } from "../cost/index.js";
import type { CallMeta } from "../engine/call-options.js";
import type { StreamResult } from "../engine/engine.js";
import type { Logger } from "../telemetry/logger.js";
import { pipeSSE, type SSEFormat } from "./sse.js";

/** What fastify sent for JSON answers; the engine lane keeps it. */
export const JSON_TYPE = "application/json; charset=utf-8";

export function metaHeaders(meta: CallMeta): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": meta.requestId,
    "x-liaison-provider": meta.provider,
    "x-liaison-model": meta.upstreamModel,
    "x-liaison-attempts": String(meta.attempts),
    // Every answer says whether the cache served it; operations the cache does not cover bypass it.
    "x-liaison-cache": meta.cache ?? "bypass",
  };
  // Known only once the answer is complete: non-stream responses carry it, streams have it in the log row.
  if (meta.costUsd !== null) headers["x-liaison-cost-usd"] = formatUsd(meta.costUsd);
  if (meta.rateLimitHeaders) Object.assign(headers, meta.rateLimitHeaders);
  if (meta.routeScore !== undefined) headers["x-liaison-route-score"] = meta.routeScore.toFixed(4);
  return headers;
}

/** A whole answer: the meta headers, then the body in one write. */
export function writeJson(res: ServerResponse, meta: CallMeta, body: string): void {
  const headers = metaHeaders(meta);
  headers["content-type"] = JSON_TYPE;
  headers["content-length"] = String(Buffer.byteLength(body));
  res.writeHead(200, headers);
  res.end(body);
}

/** Streams the result as SSE. */
export async function writeStream<T>(res: ServerResponse, result: StreamResult<T>, format: SSEFormat<T>, logger: Logger): Promise<void> {
  const headers = metaHeaders(result.meta);
  headers["content-type"] = "text/event-stream; charset=utf-8";
  headers["cache-control"] = "no-cache";
  headers.connection = "keep-alive";
  headers["x-accel-buffering"] = "no";
  res.writeHead(200, headers);
  await pipeSSE(res, result.batches, format, (e) => {
    if (e.code !== "client_closed") logger.warn({ requestId: result.meta.requestId, code: e.code, error: e.message }, "stream ended with an error");
  });
}
