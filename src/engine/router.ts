/**
 * Model names → routes: the targets (provider + upstream model) behind a
 * name, the strategy that orders them, and the model's fallback chains.
 * Clients send a configured model name, an alias, `provider/model`, or
 * (zero-config) a bare upstream name that the prefix rules assign to a
 * well-known provider.
 */
import { checkModelName } from "../core/model-name.js";
import { GatewayError } from "../core/errors.js";
import type { ModelInfo } from "../core/types.js";
import type { Config, ModelConfig } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/types.js";
// Prefix rules (DESIGN.md §2 zero-config): the first match whose provider is configured wins.
import { PREFIX_RULES } from "../providers/registry.js";
import { createStrategy } from "./routing/strategies.js";
import type { Strategy, TargetRef } from "./routing/types.js";

export interface Route {
  /** The model name the route is configured under (after aliases), or the `provider/model` sent. */
  name: string;
  targets: TargetRef[];
  strategy: Strategy;
  /** The model's own settings (fallbacks, retry); undefined for direct addressing. */
  model: ModelConfig | undefined;
}

const MAX_CACHED_DIRECT_ROUTES = 10_000;

export function targetKey(provider: string, model: string): string {
  return `${provider}/${model}`;
}

export class Router {
  readonly #providers: Map<string, ProviderAdapter>;
  readonly #routes = new Map<string, Route>();
  readonly #direct = new Map<string, Route>();
  readonly #aliases: Record<string, string>;
  readonly #defaultProvider: string | undefined;
  /** routing.providers: per-provider target defaults and direct-addressing fallbacks (a CSV provider list fills them). */
  readonly #byProvider: Config["routing"]["providers"];

  constructor(config: Config, providers: Map<string, ProviderAdapter>) {
    this.#providers = providers;
    this.#aliases = config.aliases;
    this.#defaultProvider = config.routing.default_provider;
    // `?? {}`: a Config built by hand (tests, embedders) before this field existed has none.
    this.#byProvider = config.routing.providers ?? {};
    for (const [name, m] of Object.entries(config.models)) {
      this.#routes.set(name, {
        name,
        model: m,
        strategy: createStrategy(m.strategy),
        targets: m.targets.map((t, i) => {
          const defaults = this.#defaultsOf(t.provider);
          const rpm = t.rpm ?? defaults?.rpm;
          return {
            key: targetKey(t.provider, t.model),
            provider: providers.get(t.provider)!,
            model: t.model,
            weight: t.weight,
            priority: t.priority ?? defaults?.priority ?? i,
            ...(t.price ? { price: t.price } : {}),
            ...(t.price_model ? { priceModel: t.price_model } : {}),
            ...(rpm ? { rpm } : {}),
            ...(t.tpm ? { tpm: t.tpm } : {}),
          };
        }),
      });
    }
  }

  #defaultsOf(provider: string): Config["routing"]["providers"][string] | undefined {
    return Object.hasOwn(this.#byProvider, provider) ? this.#byProvider[provider] : undefined;
  }

  resolve(name: string): Route {
    let model = name;
    // Aliases chain (config validation rules out loops).
    // Own keys only: a client's "toString" or "__proto__" is a name, not a property of the config object.
    while (Object.hasOwn(this.#aliases, model)) model = this.#aliases[model]!;
    const configured = this.#routes.get(model);
    if (configured) return configured;
    const slash = model.indexOf("/");
    if (slash > 0) {
      const provider = this.#providers.get(model.slice(0, slash));
      const upstream = model.slice(slash + 1);
      if (provider && upstream) return this.#directRoute(model, provider, upstream);
    }
    for (const [re, providerName] of PREFIX_RULES) {
      const provider = re.test(model) ? this.#providers.get(providerName) : undefined;
      if (provider) return this.#directRoute(model, provider, model);
    }
    // Anything else goes to routing.default_provider when one is set (zero-config sets ollama's), else it is unknown.
    const fallback = this.#defaultProvider === undefined ? undefined : this.#providers.get(this.#defaultProvider);
    if (fallback) return this.#directRoute(model, fallback, model);
    throw new GatewayError("model_not_found",
      `The model '${name}'${name === model ? "" : ` (an alias of '${model}')`} does not exist on this gateway. Send a configured model name (GET /v1/models lists them) or 'provider/model' with one of the providers: ${[...this.#providers.keys()].join(", ")}.`,
      { param: "model" });
  }

  #directRoute(name: string, provider: ProviderAdapter, model: string): Route {
    // Cached so repeated direct addressing does not allocate per request.
    let route = this.#direct.get(name);
    if (!route) {
      // A client's name becomes the upstream model: a response header and, for some providers, a URL segment.
      checkModelName(model);
      // The provider, then the providers routing.providers.NAME.fallbacks names (a CSV row's secondary_url), in order.
      const chain = [provider, ...(this.#defaultsOf(provider.name)?.fallbacks ?? []).flatMap((n) => this.#providers.get(n) ?? [])];
      route = {
        name,
        model: undefined,
        strategy: createStrategy(chain.length > 1 ? "priority" : "weighted"),
        targets: chain.map((p, i) => {
          const rpm = this.#defaultsOf(p.name)?.rpm;
          return { key: targetKey(p.name, model), provider: p, model, weight: 1, priority: i, ...(rpm ? { rpm } : {}) };
        }),
      };
      if (this.#direct.size < MAX_CACHED_DIRECT_ROUTES) this.#direct.set(name, route);
    }
    return route;
  }

  /** Every configured target, for health reporting. */
  configuredTargets(): TargetRef[] {
    return [...this.#routes.values()].flatMap((r) => r.targets);
  }

  listModels(config: Config): ModelInfo[] {
    const created = 0;
    const out: ModelInfo[] = [...Object.keys(config.models), ...Object.keys(config.aliases)].map((id) => ({ id, object: "model", created, owned_by: "liaison" }));
    for (const [name, p] of this.#providers) {
      for (const m of p.models?.() ?? []) out.push({ id: `${name}/${m}`, object: "model", created, owned_by: name });
    }
    return out;
  }
}
