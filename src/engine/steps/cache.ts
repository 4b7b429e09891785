/**
 * The response cache, after limits and budgets (a hit still counts as a
 * request, but costs nothing): a hit answers the call without an upstream
 * attempt — a value, or the stream replayed — and a miss the cache may
 * keep is stored once the answer is complete and priced (only a whole
 * answer, or a stream that ended cleanly). Kinds of call without caching
 * pass straight through.
 */
import { cacheNamespace, type CacheLookup } from "../../cache/index.js";
import type { Call } from "../call.js";
import type { EngineParts } from "../engine-parts.js";
import type { Send, Step } from "../pipeline.js";
import type { Outcome } from "../reply.js";

export function cache(parts: EngineParts): Step {
  return (next) => (call) => (call.caching && parts.cache() ? lookUp(parts, call, next) : next(call));
}

async function lookUp(parts: EngineParts, call: Call, next: Send): ReturnType<Send> {
  const found = await lookup(parts, call);
  const caching = call.caching!;
  if (found.answer) {
    const answer = found.answer;
    call.rec.servedFromCache(answer);
    if (answer.costUsd) parts.metrics.cacheSaved.inc({ provider: answer.provider, model: answer.upstreamModel }, answer.costUsd);
    return caching.hit(answer);
  }
  const store = found.store;
  if (store) {
    caching.keep();
    call.defer((c: Call, outcome: Outcome) => {
      if (!outcome.ok) return;
      const entry = c.caching!.entry();
      if (entry) void store(entry);
    });
  }
  return next(call);
}

/** The cache's verdict for the call, in the caller's namespace, under the route's name (after aliases). */
async function lookup(parts: EngineParts, call: Call): Promise<CacheLookup> {
  const { config } = parts;
  const options = call.options;
  const control = options.cache;
  const client = call.client;
  const found = await parts.cache()!.lookup(call.caching!.request, {
    model: call.route.name,
    namespace: cacheNamespace({ shared: config.cache.shared, teamId: options.teamId ?? null, keyId: options.keyId ?? null }),
    mode: control?.mode ?? "normal",
    // A client may shorten its entry's life freely, lengthen it only up to the operator's cap.
    ...(control?.ttlMs !== undefined ? { ttlMs: Math.min(control.ttlMs, config.cache.max_ttl_seconds * 1000) } : {}),
    ...(control?.maxAgeMs !== undefined ? { maxAgeMs: control.maxAgeMs } : {}),
    // The embedding call is the only use of a signal here: made only when the semantic cache may embed.
    ...(config.cache.semantic.enabled && client ? { signal: client.signal() } : {}),
  });
  call.rec.cacheVerdict(found.status);
  parts.metrics.cacheLookups.inc({ endpoint: call.rec.endpoint, result: found.status.replace("-", "_") });
  return found;
}
