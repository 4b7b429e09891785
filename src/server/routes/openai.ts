/**
 * The OpenAI-compatible routes. Handlers only translate HTTP ↔ engine calls;
 * everything else happens in the engine. The model calls are served on the
 * engine lane (../engine-lane.ts), /v1/models by fastify.
 */
import type { FastifyInstance } from "fastify";
import { rawText } from "../../core/lazy-chunk.js";
import type { Engine, Result, StreamResult } from "../../engine/engine.js";
import type { CallOptions, Endpoint } from "../../engine/call-options.js";
import type { LaneRoute } from "../lane-route.js";
import type { Logger } from "../../telemetry/logger.js";
import { callOptions } from "../request-options.js";
import { openAIFormat, type SSEFormat } from "../sse.js";
import { writeJson, writeStream } from "../write-answer.js";

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
      writeJson(call.res, result.meta, rawText(value) ?? JSON.stringify(value));
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
