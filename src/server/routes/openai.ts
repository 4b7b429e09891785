/**
 * The OpenAI-compatible routes. Handlers only translate HTTP ↔ engine calls;
 * everything else happens in the engine.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { rawJson } from "../../core/types.js";
import { formatUsd } from "../../cost/index.js";
import type { Engine, Result, StreamResult } from "../../engine/gateway.js";
import type { CallMeta, CallOptions } from "../../engine/request-record.js";
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

function sendJson<T>(reply: FastifyReply, result: Result<T>): FastifyReply {
  const value = result.value as object;
  return reply.headers(metaHeaders(result.meta)).type("application/json").send(rawJson.get(value) ?? JSON.stringify(value));
}

/** Takes the response over from fastify and streams the result as SSE. */
export async function sendStream<T>(reply: FastifyReply, result: StreamResult<T>, format: SSEFormat<T>, logger: Logger): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    ...metaHeaders(result.meta),
  });
  await pipeSSE(res, result.stream, format, (e) => {
    if (e.code !== "client_closed") logger.warn({ requestId: result.meta.requestId, code: e.code, msg: e.message }, "stream ended with an error");
  });
}

type Handler = (body: unknown, options: CallOptions) => Promise<Result<unknown>>;
type StreamHandler = (body: unknown, options: CallOptions) => Promise<StreamResult<unknown>>;

export function registerOpenAIRoutes(app: FastifyInstance, engine: Engine): void {
  const route = (unary: Handler, stream?: StreamHandler) => async (req: FastifyRequest, reply: FastifyReply) => {
    req.engaged = true;
    const options = callOptions(req, reply);
    const body = req.body;
    if (stream && (body as { stream?: unknown } | null)?.stream === true) {
      await sendStream(reply, await stream(body, options), openAIFormat as SSEFormat<unknown>, engine.logger);
      return reply;
    }
    return sendJson(reply, await unary(body, options));
  };

  app.post("/v1/chat/completions", route((b, o) => engine.chat(b, o), (b, o) => engine.chatStream(b, o)));
  app.post("/v1/completions", route((b, o) => engine.completions(b, o), (b, o) => engine.completionsStream(b, o)));
  app.post("/v1/embeddings", route((b, o) => engine.embed(b, o)));

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
