/**
 * POST /admin/reload (DESIGN.md §7 Operations): re-reads the configuration
 * the gateway started from and applies it without a restart. Admin only. A
 * configuration that does not load is refused with 422 and the reason; the
 * old one keeps serving. With --workers the reload reaches every worker.
 */
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../core/errors.js";
import { authorize, principalOf } from "../authorize.js";
import type { LaneState as AppState } from "../engine-lane.js";

export function registerAdminReloadRoute(app: FastifyInstance, state: AppState): void {
  app.post("/admin/reload", async (req, reply) => {
    authorize(principalOf(req), "update", { type: "providers" }, "the configuration");
    if (!state.reload) throw new GatewayError("unsupported_operation", "This gateway was not started from a configuration it can re-read (it was built in code); reload it there.");
    try {
      const result = await state.reload();
      return reply.send({ status: "reloaded", ...result });
    } catch (err) {
      throw new GatewayError("invalid_config", `The new configuration was refused; the old one keeps serving. ${(err as Error)?.message ?? String(err)}`);
    }
  });
}
