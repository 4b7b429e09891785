/**
 * Reloading the configuration without a restart (docs/operations.md). A new
 * generation of the config parts (./config-parts.ts) is built beside the
 * running one — nothing changes if that fails — then installed in one
 * assignment: requests that start afterwards see only the new one, requests
 * in flight finish on the old one, whose own parts (providers no longer
 * configured, a replaced cache) are closed once those requests can no longer
 * be running. Reloads run one at a time.
 */
import type { Config } from "../config/schema.js";
import { retireConfigParts, wireConfigParts, type Embed } from "./config-parts.js";
import { withConfigParts, type EngineWiring } from "./wire-engine.js";

/** What a reload did: the top-level sections that changed, and those that need a restart (kept at their start-up values). */
export interface ReloadResult {
  changed: string[];
  restart_required: string[];
}

/**
 * Sections read once at start: the listening socket and its limits, the
 * store, Redis, logging, privacy, telemetry, admin key, shared limits and
 * budgets, MCP servers, workflows, and the circuit breakers' settings.
 */
const RESTART_ONLY = ["server", "admin_key", "storage", "redis", "logging", "privacy", "telemetry", "limits", "budgets", "mcp", "workflows"] as const;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The new config with the restart-only sections kept as they are, and what differs. */
export function planReload(current: Config, next: Config): { config: Config; result: ReloadResult } {
  const config = { ...next, routing: { ...next.routing, circuit_breaker: current.routing.circuit_breaker } } as Config;
  const restart: string[] = [];
  for (const key of RESTART_ONLY) {
    if (!same(current[key], next[key])) restart.push(key);
    (config as Record<string, unknown>)[key] = current[key];
  }
  if (!same(current.routing.circuit_breaker, next.routing.circuit_breaker)) restart.push("routing.circuit_breaker");
  const keys = new Set([...Object.keys(current), ...Object.keys(config)]);
  const changed = [...keys].filter((k) => !same((current as Record<string, unknown>)[k], (config as Record<string, unknown>)[k])).sort();
  return { config, result: { changed, restart_required: restart } };
}

/** A request can last no longer than this after a reload: the longest total timeout or retry budget, plus a margin. */
function graceMs(w: EngineWiring): number {
  let longest = 0;
  for (const t of w.timeouts.values()) longest = Math.max(longest, t.totalMs);
  const budgets = [w.config.routing.retry?.budget_ms ?? 0, ...Object.values(w.config.models).map((m) => m.retry?.budget_ms ?? 0)];
  return Math.max(longest, ...budgets) + 5_000;
}

export class Reloads {
  #chain: Promise<unknown> = Promise.resolve();
  readonly #retiring = new Map<NodeJS.Timeout, () => Promise<void>>();

  constructor(
    private readonly current: () => EngineWiring,
    private readonly install: (next: EngineWiring) => void,
    private readonly embed: Embed,
  ) {}

  apply(next: Config): Promise<ReloadResult> {
    const run = this.#chain.then(() => this.#apply(next));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #apply(next: Config): Promise<ReloadResult> {
    const w = this.current();
    const { config, result } = planReload(w.config, next);
    const parts = await wireConfigParts(config, { metrics: w.metrics, logger: w.logger, embed: this.embed, previous: w });
    this.install(withConfigParts(w, parts));
    const retire = () => retireConfigParts(w, parts);
    const timer = setTimeout(() => {
      this.#retiring.delete(timer);
      void retire();
    }, graceMs(w));
    timer.unref();
    this.#retiring.set(timer, retire);
    w.logger.info(result, "configuration reloaded");
    return result;
  }

  /** At shutdown (requests drained): closes what earlier generations still hold. */
  async close(): Promise<void> {
    await this.#chain;
    const pending = [...this.#retiring];
    this.#retiring.clear();
    await Promise.allSettled(pending.map(([timer, retire]) => {
      clearTimeout(timer);
      return retire();
    }));
  }
}
