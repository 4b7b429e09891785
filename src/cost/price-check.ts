/**
 * Which models in use have no price, or a price older than a number of
 * days: `liaison prices check` prints them, the gateway warns about them
 * at start. "In use" means named by the config: the targets of `models:`,
 * and `provider/model` names in aliases and fallback chains. A config
 * override counts as current (whoever set it knows the price); a catalogue
 * or price-file entry is as old as its `date`.
 *
 * Takes the config's shape rather than its type: cost/ sits below config/.
 */
import type { PriceCatalogue } from "./catalogue.js";

interface TargetLike {
  provider: string;
  model: string;
  /** The catalogue model the target is priced as, when the config names one. */
  price_model?: string | undefined;
}

export interface PricedConfigLike {
  providers: Record<string, unknown>;
  models: Record<string, { targets: readonly TargetLike[]; fallbacks?: readonly string[]; context_window_fallbacks?: readonly string[]; content_policy_fallbacks?: readonly string[] }>;
  aliases?: Record<string, string>;
}

export interface ModelInUse extends TargetLike {
  /** `provider/model`. */
  target: string;
  /** The configured names that reach it (model names, aliases). */
  used_by: string[];
}

export interface PriceProblem extends ModelInUse {
  problem: "missing" | "stale";
  /** The price's date (YYYY-MM-DD); null when there is no price. */
  date: string | null;
  age_days: number | null;
}

const DAY_MS = 86_400_000;

/** Every (provider, upstream model) the config names, once each, in config order. */
export function modelsInUse(config: PricedConfigLike): ModelInUse[] {
  const found = new Map<string, ModelInUse>();
  const add = (provider: string, model: string, by: string, priceModel?: string): void => {
    const target = `${provider}/${model}`;
    const known = found.get(target);
    if (!known) found.set(target, { target, provider, model, ...(priceModel ? { price_model: priceModel } : {}), used_by: [by] });
    else if (!known.used_by.includes(by)) known.used_by.push(by);
  };
  // `provider/model` addressing, as the router reads it: a configured provider before the first slash.
  const direct = (name: string, by: string): void => {
    const slash = name.indexOf("/");
    if (slash <= 0 || config.models[name] || !(name.slice(0, slash) in config.providers)) return;
    add(name.slice(0, slash), name.slice(slash + 1), by);
  };
  for (const [name, m] of Object.entries(config.models)) {
    for (const t of m.targets) add(t.provider, t.model, name, t.price_model);
    for (const f of [...(m.fallbacks ?? []), ...(m.context_window_fallbacks ?? []), ...(m.content_policy_fallbacks ?? [])]) direct(f, name);
  }
  for (const [alias, target] of Object.entries(config.aliases ?? {})) direct(target, alias);
  return [...found.values()];
}

/**
 * The models in use whose price is missing, or dated more than
 * `maxAgeDays` before `now`; looked up as the cost step prices them: the
 * target's price_model first, else its model (what the upstream will say
 * it served is not known until it answers), the configured provider name
 * as the hint.
 */
export function checkPrices(config: PricedConfigLike, catalogue: PriceCatalogue, options: { maxAgeDays: number; now?: number }): PriceProblem[] {
  const now = options.now ?? Date.now();
  const problems: PriceProblem[] = [];
  for (const m of modelsInUse(config)) {
    const price = (m.price_model === undefined ? undefined : catalogue.lookup(m.price_model, m.provider)) ?? catalogue.lookup(m.model, m.provider);
    if (!price) {
      problems.push({ ...m, problem: "missing", date: null, age_days: null });
      continue;
    }
    if (price.from === "override" || !price.entry) continue;
    const age = Math.floor((now - Date.parse(`${price.entry.date}T00:00:00Z`)) / DAY_MS);
    if (age > options.maxAgeDays) problems.push({ ...m, problem: "stale", date: price.entry.date, age_days: age });
  }
  return problems;
}

/** One problem in a few words, for the start-up warning: `up/gpt-4o (2025-10-01)`, `local/llama3.2 (no price)`. */
export function describePriceProblem(p: PriceProblem): string {
  return `${p.target} (${p.problem === "missing" ? "no price" : p.date})`;
}

/** The start-up warning's message. */
export function priceWarning(count: number, maxAgeDays: number): string {
  return `${count} model${count === 1 ? "" : "s"} in use ${count === 1 ? "has" : "have"} no price, or one older than ${maxAgeDays} days: `
    + "their cost_usd is empty or may be wrong. See `liaison prices check`; update with `liaison prices update FILE` (prices.file) or set prices: overrides";
}
