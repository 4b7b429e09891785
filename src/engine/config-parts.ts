/**
 * The engine's parts that follow the configuration file and are rebuilt on a
 * reload (docs/operations.md): prices, providers and their timeouts, the
 * router (models, targets, strategies, learned routers), the secret scrubber
 * and the response cache. Everything else — the store and its log writer,
 * metrics, shared health and quotas, keys, tracing — lives as long as the
 * process.
 *
 * A reload reuses what did not change (a provider whose block is the same
 * keeps its connection pool; an unchanged cache block keeps the cache and its
 * contents), builds the rest, and hands back what the old generation held
 * alone, to be closed once the requests that started on it are done.
 */
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { EmbeddingResponse } from "../core/types.js";
import { createResponseCache, firstEmbedding, type ResponseCache } from "../cache/index.js";
import { checkPrices, describePriceProblem, loadPrices, priceWarning, type PriceCatalogue } from "../cost/index.js";
import { configSecrets, SecretScrubber } from "../privacy/secret-scrubber.js";
import { createProvider, resolveTimeouts } from "../providers/registry.js";
import type { ProviderAdapter, Timeouts } from "../providers/types.js";
import type { Logger } from "../telemetry/logger.js";
import type { Metrics } from "../telemetry/metrics.js";
import type { CallOptions } from "./call-options.js";
import { Router } from "./router.js";
import { attachRouters } from "./routing/attach-routers.js";
import type { RouterFeedback } from "./routing/router-feedback.js";

export type Embed = (body: unknown, options: CallOptions) => Promise<{ value: EmbeddingResponse }>;

export interface ConfigParts {
  readonly config: Config;
  readonly catalogue: PriceCatalogue;
  readonly providers: Map<string, ProviderAdapter>;
  readonly timeouts: Map<string, Timeouts>;
  readonly router: Router;
  /** The learned routers' feedback channel (undefined when no model learns). */
  readonly routerFeedback: RouterFeedback | undefined;
  readonly scrubber: SecretScrubber;
  readonly responseCache: ResponseCache | undefined;
}

export interface ConfigPartsDeps {
  metrics: Metrics;
  logger: Logger;
  /** The semantic cache's embeddings go through the gateway itself. */
  embed: Embed;
  /** The running generation, on a reload: what did not change is taken over from it. */
  previous?: ConfigParts;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Builds the parts for `config`; on a ConfigError (bad prices, router files, semantic cache) nothing is left open. */
export async function wireConfigParts(config: Config, deps: ConfigPartsDeps): Promise<ConfigParts> {
  const { metrics, logger, previous } = deps;
  // Prices first: a bad prices.file stops start-up (or a reload) before anything is opened.
  const catalogue = loadPrices(config.prices);
  const timeouts = new Map<string, Timeouts>();
  const providers = new Map<string, ProviderAdapter>();
  const made: ProviderAdapter[] = [];
  const fail = async (err: unknown): Promise<never> => {
    await Promise.allSettled(made.map((p) => p.close?.()));
    throw err;
  };
  try {
    for (const [name, pc] of Object.entries(config.providers)) {
      const t = resolveTimeouts(config.timeouts, "timeouts" in pc ? pc.timeouts : undefined);
      timeouts.set(name, t);
      const old = previous?.providers.get(name);
      if (old && same(previous!.config.providers[name], pc) && same(previous!.timeouts.get(name), t)) {
        providers.set(name, old);
        continue;
      }
      const adapter = await createProvider(name, pc, t);
      made.push(adapter);
      providers.set(name, adapter);
    }
  } catch (err) {
    return fail(err);
  }
  const unpriced = checkPrices(config, catalogue, { maxAgeDays: config.prices.max_age_days });
  if (unpriced.length) logger.warn({ models: unpriced.map(describePriceProblem) }, priceWarning(unpriced.length, config.prices.max_age_days));
  let router: Router;
  try {
    router = new Router(config, providers);
  } catch (err) {
    return fail(err);
  }
  const semantic = config.cache.semantic;
  if (config.cache.enabled && semantic.enabled) {
    // Known only once providers exist: a model none of whose targets embeds would turn every lookup into a failed call.
    const route = router.resolve(semantic.embedding_model ?? "");
    if (!route.targets.some((t) => t.provider.capabilities.embeddings)) {
      return fail(new ConfigError("config", [`cache.semantic.embedding_model: '${semantic.embedding_model}' has no target whose provider serves embeddings`]));
    }
  }
  // learned / cascade models: their router files, matched to their targets; a bad file stops start-up like a bad config.
  let routerFeedback: RouterFeedback | undefined;
  try {
    routerFeedback = attachRouters({ config, router, catalogue, metrics, onError: (err) => logger.warn({ err: (err as Error)?.message }, "router feedback channel (Redis) unavailable; feedback is learnt by this instance only") });
  } catch (err) {
    return fail(new ConfigError("config", (err as Error).message.split("\n")));
  }
  const scrubber = new SecretScrubber([
    ...Object.values(config.providers).flatMap((pc) => configSecrets(pc)),
    ...[...providers.values()].flatMap((p) => p.secrets ?? []),
  ]);
  const reuseCache = previous !== undefined && same(previous.config.cache, config.cache) && same(previous.config.redis, config.redis);
  const responseCache = reuseCache ? previous.responseCache : cacheFor(config, deps);
  if (responseCache && !reuseCache) logger.info({ ...responseCache.backends }, "response cache enabled");
  return { config, catalogue, providers, timeouts, router, routerFeedback, scrubber, responseCache };
}

/** What `old` held that `next` does not use (all of it without `next`): closed once the old generation's requests are done. */
export async function retireConfigParts(old: ConfigParts, next: Pick<ConfigParts, "providers" | "responseCache"> | undefined): Promise<void> {
  const kept = new Set(next ? [...next.providers.values()] : []);
  await Promise.allSettled([
    ...[...old.providers.values()].filter((p) => !kept.has(p)).map((p) => p.close?.()),
    old.routerFeedback?.close(),
    old.responseCache !== next?.responseCache ? old.responseCache?.close() : undefined,
  ]);
}

function cacheFor(config: Config, deps: ConfigPartsDeps): ResponseCache | undefined {
  const { metrics, logger, embed } = deps;
  const semantic = config.cache.semantic;
  const lastCacheWarn = new Map<string, number>();
  return createResponseCache(config.cache, {
    ...(config.redis ? { redis: { url: config.redis.url, prefix: config.redis.prefix } } : {}),
    ...(/^postgres(ql)?:/.test(config.storage.url) ? { postgresUrl: config.storage.url } : {}),
    // The semantic cache's embeddings go through the gateway itself: routing, retries, cost and a log row like any call.
    embed: async (text, signal) => firstEmbedding((await embed({ model: semantic.embedding_model, input: text }, { signal, metadata: { liaison: "semantic-cache" } })).value),
    onError: (err, site) => {
      metrics.cacheErrors.inc({ site });
      // An outage fails every request's lookup: one line per site every 10 s, the metric counts them all.
      const now = Date.now();
      if ((lastCacheWarn.get(site) ?? 0) + 10_000 > now) return;
      lastCacheWarn.set(site, now);
      logger.warn({ err: (err as Error)?.message, site }, "response cache unavailable; lookups and writes are treated as misses");
    },
  });
}
