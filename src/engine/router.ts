/**
 * Model names → targets (provider + upstream model). Clients send a
 * configured model name, `provider/model`, or (zero-config) a bare upstream
 * name that the prefix rules assign to a well-known provider.
 */
import { GatewayError } from "../core/errors.js";
import type { ModelInfo } from "../core/types.js";
import type { Config } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/types.js";

export interface Target {
  provider: ProviderAdapter;
  model: string;
  weight: number;
}

export interface Route {
  /** The name the client sent. */
  name: string;
  targets: Target[];
  strategy: "weighted" | "round-robin";
}

/** Zero-config prefix rules (DESIGN.md §2): first match whose provider is configured wins. */
const PREFIX_RULES: [RegExp, string][] = [
  [/^(gpt-|chatgpt-|o\d|text-embedding-|davinci|babbage)/, "openai"],
  [/^claude/, "anthropic"],
  [/^gemini|^text-embedding-004|^gemini-embedding/, "gemini"],
];
const FALLBACK_PROVIDER = "ollama";

export class Router {
  readonly #providers: Map<string, ProviderAdapter>;
  readonly #routes = new Map<string, Route>();
  readonly #rr = new Map<string, number>();
  readonly #aliases: Record<string, string>;

  constructor(config: Config, providers: Map<string, ProviderAdapter>) {
    this.#providers = providers;
    this.#aliases = config.aliases;
    for (const [name, m] of Object.entries(config.models)) {
      this.#routes.set(name, {
        name,
        strategy: m.strategy,
        targets: m.targets.map((t) => ({ provider: providers.get(t.provider)!, model: t.model, weight: t.weight })),
      });
    }
  }

  resolve(name: string): Route {
    let model = name;
    // Aliases chain (config validation rules out loops).
    while (this.#aliases[model] !== undefined) model = this.#aliases[model]!;
    const configured = this.#routes.get(model);
    if (configured) return configured;
    const slash = model.indexOf("/");
    if (slash > 0) {
      const provider = this.#providers.get(model.slice(0, slash));
      const upstream = model.slice(slash + 1);
      if (provider && upstream) return this.#direct(model, provider, upstream);
    }
    for (const [re, name] of PREFIX_RULES) {
      const provider = re.test(model) ? this.#providers.get(name) : undefined;
      if (provider) return this.#direct(model, provider, model);
    }
    const fallback = this.#providers.get(FALLBACK_PROVIDER);
    if (fallback) return this.#direct(model, fallback, model);
    throw new GatewayError("model_not_found",
      `The model '${name}'${name === model ? "" : ` (an alias of '${model}')`} does not exist on this gateway. Send a configured model name (GET /v1/models lists them) or 'provider/model' with one of the providers: ${[...this.#providers.keys()].join(", ")}.`,
      { param: "model" });
  }

  #direct(name: string, provider: ProviderAdapter, model: string): Route {
    // Cached so repeated direct addressing does not allocate per request.
    let route = this.#routes.get(name);
    if (!route) {
      route = { name, strategy: "weighted", targets: [{ provider, model, weight: 1 }] };
      if (this.#routes.size < 10_000) this.#routes.set(name, route);
    }
    return route;
  }

  pick(route: Route): Target {
    const { targets } = route;
    if (targets.length === 1) return targets[0]!;
    if (route.strategy === "round-robin") {
      const i = this.#rr.get(route.name) ?? 0;
      this.#rr.set(route.name, (i + 1) % targets.length);
      return targets[i % targets.length]!;
    }
    let total = 0;
    for (const t of targets) total += t.weight;
    let r = Math.random() * total;
    for (const t of targets) {
      r -= t.weight;
      if (r < 0) return t;
    }
    return targets[targets.length - 1]!;
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
