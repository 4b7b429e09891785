import type { FastifyInstance } from "fastify";
import type { PriceCatalogue } from "../../cost/index.js";
import type { Engine } from "../../engine/engine.js";
import type { TargetRef } from "../../engine/routing/types.js";
import { authorize, principalOf } from "../authorize.js";

/** USD per million tokens, as the gateway bills the target (config prices, then the price file, then the catalogue). */
function priceOf(catalogue: PriceCatalogue, t: TargetRef): { input: number; output: number; cached_input: number | null; source: string } | null {
  const found = catalogue.lookup(t.priceModel ?? t.model, t.provider.name);
  if (found) return { input: found.input, output: found.output, cached_input: found.cached_input, source: found.from };
  return t.price ? { input: t.price.input, output: t.price.output, cached_input: null, source: "target" } : null;
}

/**
 * GET /admin/providers: each configured target's health — circuit state,
 * recent error rate, latency, requests in flight — and price, plus the
 * providers themselves, the configured models (their strategy, targets and
 * fallbacks) and the aliases.
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
      const catalogue = engine.catalogue; // the one the engine bills with (reloaded with the config)
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
        price: priceOf(catalogue, t),
        ...(t.rpm ? { rpm: t.rpm } : {}),
        ...(t.tpm ? { tpm: t.tpm } : {}),
      });
    }
    const listed = engine.listModels();
    const providers = Object.entries(engine.config.providers).map(([name, p]) => ({
      name, type: p.type, models: listed.filter((m) => m.owned_by === name).map((m) => m.id.slice(name.length + 1)),
    }));
    const models = Object.entries(engine.config.models).map(([name, m]) => ({
      name,
      strategy: m.strategy,
      targets: m.targets.map((t) => `${t.provider}/${t.model}`),
      fallbacks: m.fallbacks,
    }));
    return reply.send({ providers, targets, models, aliases: engine.config.aliases, shared_state: engine.config.redis ? "redis" : "memory" });
  });
}
