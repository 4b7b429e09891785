import type { FastifyInstance } from "fastify";
import type { Engine } from "../../engine/engine.js";
import type { LaneState } from "../engine-lane.js";

export function registerOpsRoutes(app: FastifyInstance, engine: Engine, state: LaneState): void {
  app.get("/health", async (_req, reply) => reply.type("application/json").send('{"status":"ok"}'));

  app.get("/ready", async (_req, reply) => {
    if (state.shuttingDown) return reply.code(503).send({ status: "shutting_down" });
    const reason = await engine.notReady();
    return reason === undefined
      ? reply.send({ status: "ready" })
      : reply.code(503).send({ status: "not_ready", reason });
  });

  app.get("/metrics", async (_req, reply) => {
    const text = state.metricsText ? await state.metricsText() : await engine.metrics.registry.metrics();
    return reply.type(engine.metrics.registry.contentType).send(text);
  });
}
