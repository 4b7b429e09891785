import type { FastifyInstance } from "fastify";
import type { Engine } from "../../engine/engine.js";
import { authorize, principalOf } from "../authorize.js";

/**
 * GET /admin/providers: each configured target's health — circuit state,
 * recent error rate, latency, requests in flight — plus the providers themselves.
 */
export function registerAdminProviderRoutes(app: FastifyInstance, engine: Engine): void {
  app.get("/admin/providers", async (req, reply) => {
    authorize(principalOf(req), "read", { type: "providers" }, "provider health");
    const seen = new Set<string>();
    const targets = [];
    for (const t of engine.router.configuredTargets()) {
      if (seen.has(t.key)) continue;
      seen.add(t.key);
      const health = engine.health.breakers.snapshot(t.key);
      const latency = engine.stats.latency(t.key);
      targets.push({
        target: t.key,
        provider: t.provider.name,
        type: t.provider.type,
        model: t.model,
        circuit: health.state,
        error_rate: health.errorRate,
        requests: health.requests,
        consecutive_failures: health.consecutiveFailures,
        retry_at: health.retryAt === null ? null : new Date(health.retryAt).toISOString(),
        in_flight: engine.stats.inFlight(t.key),
        latency_ms: latency ? Math.round(latency.ewmaMs * 10) / 10 : null,
        ttft_ms: latency?.ttftEwmaMs === undefined ? null : Math.round(latency.ttftEwmaMs * 10) / 10,
        ...(t.rpm ? { rpm: t.rpm } : {}),
        ...(t.tpm ? { tpm: t.tpm } : {}),
      });
    }
    const providers = Object.entries(engine.config.providers).map(([name, p]) => ({ name, type: p.type }));
    return reply.send({ providers, targets, shared_state: engine.config.redis ? "redis" : "memory" });
  });
}
