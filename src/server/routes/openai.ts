/**
 * The OpenAI-compatible routes. Handlers only translate HTTP ↔ engine calls;
 * everything else happens in the engine. The model calls are served on the
 * engine lane (../engine-lane.ts), /v1/models by fastify.
 */
import type { ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import { rawJson } from "../../core/types.js";
import { formatUsd } from "../../cost/index.js";
import type { Engine, Result, StreamResult } from "../../engine/gateway.js";
import type { CallMeta, CallOptions, Endpoint } from "../../engine/request-record.js";
import type { LaneRoute } from "../engine-lane.js";
import type { Logger } from "../../telemetry/logger.js";
import { callOptions } from "../request-options.js";
import { openAIFormat, pipeSSE, type SSEFormat } from "../sse.js";

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
  return headers;
}

/** What fastify sent for JSON answers; the engine lane keeps it. */
export const JSON_TYPE = "application/json; charset=utf-8";

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
    if (e.code !== "client_closed") logger.warn({ requestId: result.meta.requestId, code: e.code, msg: e.message }, "stream ended with an error");
  });
}

type Handler = (body: unknown, options: CallOptions) => Promise<Result<unknown>>;
type StreamHandler = (body: unknown, options: CallOptions) => Promise<StreamResult<unknown>>;

/** One OpenAI route on the engine lane: `stream: true` picks the streamed operation when there is one. */
export function openAIRoute(endpoint: Endpoint, unary: Handler, stream: StreamHandler | undefined, logger: Logger): LaneRoute {
  return {
    endpoint,
    async serve(call) {
      const options = callOptions(call);
      const body = call.body;
      call.engaged = true;
      if (stream && (body as { stream?: unknown } | null)?.stream === true) {
        await writeStream(call.res, await stream(body, options), openAIFormat as SSEFormat<unknown>, logger);
        return;
      }
      const result = await unary(body, options);
      const value = result.value as object;
      writeJson(call.res, result.meta, rawJson.get(value) ?? JSON.stringify(value));
    },
  };
}

/** The OpenAI routes fastify serves (model listing); the model calls are on the engine lane. */
export function registerOpenAIRoutes(app: FastifyInstance, engine: Engine): void {
  app.get("/v1/models", async (_req, reply) => {
    return reply.type("application/json").send(JSON.stringify({ object: "list", data: engine.listModels() }));
  });
  app.get<{ Params: { "*": string } }>("/v1/models/*", async (req, reply) => {
    const id = req.params["*"];
    const model = engine.listModels().find((m) => m.id === id);
    if (!model) {
      engine.router.resolve(id); // throws model_not_found with the helpful message
      return reply.type("application/json").send(JSON.stringify({ id, object: "model", created: 0, owned_by: "liaison" }));
    }
    return reply.type("application/json").send(JSON.stringify(model));
  });
}
