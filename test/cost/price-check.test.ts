/**
 * The config's `prices:` (the old flat form and the new one with `file:`),
 * and which models in use have no price or an old one.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/config/load.js";
import { checkPrices, describePriceProblem, loadCatalogue, loadPrices, modelsInUse, priceWarning } from "../../src/cost/index.js";

describe("prices: in the config", () => {
  it("keeps the flat form: every key a model override", () => {
    const c = validateConfig({ prices: { "gpt-4o": { input: 2, output: 8 }, "groq/llama-3.3-70b-versatile": { input: 0.5, output: 0.7 } } });
    expect(c.prices).toEqual({ max_age_days: 180, models: { "gpt-4o": { input: 2, output: 8 }, "groq/llama-3.3-70b-versatile": { input: 0.5, output: 0.7 } } });
  });

  it("takes file, max_age_days and models:, also mixed with flat overrides", () => {
    const c = validateConfig({ prices: { file: "./prices.json", max_age_days: 30, models: { "gpt-4o": { input: 2, output: 8 } }, "o3": { input: 1, output: 4 } } });
    expect(c.prices).toEqual({ file: "./prices.json", max_age_days: 30, models: { "gpt-4o": { input: 2, output: 8 }, o3: { input: 1, output: 4 } } });
    expect(validateConfig({}).prices).toEqual({ max_age_days: 180, models: {} });
  });

  it("reports a bad price at the path the user wrote", () => {
    const problems = (input: unknown): string[] => {
      try {
        validateConfig(input);
      } catch (err) {
        return (err as ConfigError).issues;
      }
      return [];
    };
    expect(problems({ prices: { "gpt-4o": { input: -1, output: 8 } } })).toEqual([expect.stringMatching(/^prices\.gpt-4o\.input: /)]);
    expect(problems({ prices: { models: { "gpt-4o": { input: 1, output: 8, cached: 1 } } } })).toEqual(["prices.models.gpt-4o: unknown key 'cached'"]);
    expect(problems({ prices: { file: 3 } })).toEqual([expect.stringMatching(/^prices\.file: /)]);
    expect(problems({ prices: { max_age_days: 0 } })).toEqual([expect.stringMatching(/^prices\.max_age_days: /)]);
  });
});

describe("models in use and their prices", () => {
  const NOW = Date.parse("2026-12-06T12:00:00Z");
  const config = validateConfig({
    providers: { up: { type: "openai", base_url: "http://127.0.0.1:1/v1" }, local: { type: "ollama", base_url: "http://127.0.0.1:2" } },
    models: {
      smart: { targets: [{ provider: "up", model: "gpt-4o" }, { provider: "up", model: "gpt-4.1" }], fallbacks: ["local/llama3.2"] },
      mini: { targets: [{ provider: "up", model: "gpt-4o" }] },
    },
    aliases: { tiny: "up/gpt-4o-mini", other: "smart" },
    prices: { "up/gpt-4.1": { input: 2, output: 8 } },
  });
  const catalogue = loadPrices(config.prices);

  it("are the targets, and provider/model names in fallbacks and aliases, once each", () => {
    expect(modelsInUse(config).map((m) => [m.target, m.used_by])).toEqual([
      ["up/gpt-4o", ["smart", "mini"]],
      ["up/gpt-4.1", ["smart"]],
      ["local/llama3.2", ["smart"]],
      ["up/gpt-4o-mini", ["tiny"]],
    ]);
  });

  it("no price, or a catalogue price older than the limit, is a problem; a config override never is", () => {
    const problems = checkPrices(config, catalogue, { maxAgeDays: 180, now: NOW });
    expect(problems.map((p) => [p.target, p.problem, p.date])).toEqual([
      ["up/gpt-4o", "stale", "2025-10-01"],
      ["local/llama3.2", "missing", null],
      ["up/gpt-4o-mini", "stale", "2025-10-01"],
    ]);
    expect(problems[0]!.age_days).toBe(431);
    expect(problems.map(describePriceProblem)).toEqual(["up/gpt-4o (2025-10-01)", "local/llama3.2 (no price)", "up/gpt-4o-mini (2025-10-01)"]);
    // Within the limit, only the missing one is left.
    expect(checkPrices(config, catalogue, { maxAgeDays: 1000, now: NOW }).map((p) => p.target)).toEqual(["local/llama3.2"]);
    expect(priceWarning(1, 180)).toMatch(/^1 model in use has no price, or one older than 180 days/);
  });

  it("a target's price_model is looked up first, as the cost step prices it", () => {
    const house = { providers: { house: {} }, models: { chat: { targets: [{ provider: "house", model: "my-finetune", price_model: "gpt-4o-mini" }, { provider: "house", model: "other" }] } } };
    expect(checkPrices(house, catalogue, { maxAgeDays: 1000, now: NOW }).map((p) => [p.target, p.problem])).toEqual([["house/other", "missing"]]);
  });

  it("a fresh price file fixes the stale ones", () => {
    const fresh = loadCatalogue({ data: { version: 1, models: [
      { provider: "openai", model: "gpt-4o", aliases: ["gpt-4o-mini"], input: 3, output: 12, source: "https://example.com/p", date: "2026-12-01" },
    ] } });
    expect(checkPrices(config, fresh, { maxAgeDays: 180, now: NOW }).map((p) => p.target)).toEqual(["up/gpt-4.1", "local/llama3.2"]);
  });
});
