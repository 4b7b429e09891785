/**
 * `providers_csv:` in a config file: read relative to the config file,
 * merged with `providers:`, its errors naming the CSV file, line and column;
 * then what the merged config does: routes (`provider/model` tries the
 * secondary next; targets take the provider's priority and rpm) and prices
 * (`provider/*`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, validateConfig } from "../../src/config/load.js";
import { loadPrices } from "../../src/cost/index.js";
import { Router } from "../../src/engine/router.js";
import type { Config } from "../../src/config/schema.js";
import type { ProviderAdapter } from "../../src/providers/types.js";

const HEADER = "provider_name,primary_url,secondary_url,api_key_env,timeout,max_requests_per_minute,cost_per_1k_tokens,priority";
const SEED = `${HEADER}\nopenai,https://api.openai.com,https://backup.example.com,OPENAI_API_KEY,30,3500,0.002,1\nanthropic,https://api.anthropic.com,,ANTHROPIC_API_KEY,60,1000,0.003,2\n`;

const root = mkdtempSync(join(tmpdir(), "liaison-csv-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A config file in its own folder (never the working directory) with the CSV beside it, in `sub/`. */
function files(yaml: string, csv = SEED): string {
  const dir = mkdtempSync(join(root, "c-"));
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "providers.csv"), csv);
  writeFileSync(join(dir, "liaison.yaml"), yaml);
  return join(dir, "liaison.yaml");
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const ENV = { OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "" };

describe("providers_csv in a config file", () => {
  it("is read relative to the config file and merged with providers:", () => {
    const file = files("providers_csv: sub/providers.csv\nproviders:\n  local: { type: ollama }\n");
    expect(relative(process.cwd(), file).startsWith("..")).toBe(true);
    const config = loadConfigFile(file, ENV);
    expect(Object.keys(config.providers).sort()).toEqual(["anthropic", "local", "mock", "openai", "openai-secondary"]);
    expect(config.providers.openai).toMatchObject({ type: "openai", base_url: "https://api.openai.com/v1", api_key: "sk-openai", timeouts: { total_ms: 30_000 } });
    expect(config.providers["openai-secondary"]).toMatchObject({ base_url: "https://backup.example.com/v1", api_key: "sk-openai" });
    // An unset (or empty) key variable means no key, as ${VAR} does in the YAML.
    expect(config.providers.anthropic).toEqual({ type: "anthropic", base_url: "https://api.anthropic.com", timeouts: { total_ms: 60_000 } });
    expect(config.providers_csv).toBeUndefined();
    expect(config.routing.providers.openai).toEqual({ fallbacks: ["openai-secondary"], priority: 1, rpm: 3500 });
  });

  it("an empty providers: key is no provider of its own", () => {
    const file = files("providers_csv: sub/providers.csv\nproviders:\n");
    expect(Object.keys(loadConfigFile(file, ENV).providers).sort()).toEqual(["anthropic", "mock", "openai", "openai-secondary"]);
  });

  it("an absolute path works from anywhere; ${VAR} in the path is interpolated", () => {
    const file = files("providers_csv: ${CSV_DIR}/providers.csv\n");
    const dir = join(file, "..", "sub");
    expect(Object.keys(loadConfigFile(file, { ...ENV, CSV_DIR: dir }).providers)).toContain("openai-secondary");
  });

  it("a bad row: the error names the CSV file, the line and the column", () => {
    const file = files("providers_csv: sub/providers.csv\n", `${HEADER}\nopenai,https://api.openai.com,,,soon,,,\n`);
    const err = errorOf(() => loadConfigFile(file, ENV));
    expect(err.source).toMatch(/sub\/providers\.csv$/);
    expect(err.issues).toEqual(["line 2, column timeout: must be a number of seconds greater than 0 (got \"soon\")"]);
    expect(err.message).toMatch(/providers\.csv: invalid configuration\n {2}- line 2, column timeout: /);
  });

  it("a missing file names the path it looked for", () => {
    const file = files("providers_csv: nowhere.csv\n");
    const err = errorOf(() => loadConfigFile(file, ENV));
    // Outside the working directory the path is shown whole.
    expect(err.source).toBe(join(file, "..", "nowhere.csv"));
    expect(err.issues[0]).toMatch(/^cannot read the file: ENOENT/);
  });

  it("a provider defined in the YAML and the CSV is refused, naming both", () => {
    const file = files("providers_csv: sub/providers.csv\nproviders:\n  openai: { type: openai }\n");
    const err = errorOf(() => loadConfigFile(file, ENV));
    expect(err.source).toBe(file);
    expect(err.issues).toEqual([expect.stringMatching(/^providers\.openai: also defined by .*sub\/providers\.csv line 2 \(define a provider in one place\)$/)]);
  });

  it("the YAML wins over the CSV for routing defaults and prices it sets itself", () => {
    const file = files([
      "providers_csv: sub/providers.csv",
      "routing: { providers: { openai: { rpm: 10 } } }",
      "prices: { openai/*: { input: 9, output: 9 } }",
    ].join("\n"));
    const config = loadConfigFile(file, ENV);
    expect(config.routing.providers.openai).toEqual({ fallbacks: ["openai-secondary"], priority: 1, rpm: 10 });
    expect(config.prices.models["openai/*"]).toEqual({ input: 9, output: 9 });
    expect(config.prices.models["anthropic/*"]).toEqual({ input: 3, output: 3 });
  });

  it("models can use the CSV's providers; a non-string providers_csv is a schema error", () => {
    const file = files("providers_csv: sub/providers.csv\nmodels:\n  smart: { strategy: priority, targets: [ { provider: anthropic, model: claude-sonnet-4-5 }, { provider: openai, model: gpt-4o } ] }\n");
    expect(loadConfigFile(file, ENV).models.smart!.targets).toHaveLength(2);
    expect(errorOf(() => validateConfig({ providers_csv: 3 })).issues).toEqual(["providers_csv: Invalid input: expected string, received number"]);
  });
});

describe("routing.providers, by hand", () => {
  it("names configured providers, which do not fall back to themselves", () => {
    const err = errorOf(() => validateConfig({
      providers: { a: { type: "openai" } },
      routing: { providers: { ghost: { rpm: 1 }, a: { fallbacks: ["a", "nope"] } } },
    }));
    expect(err.issues).toEqual([
      "routing.providers.ghost: unknown provider 'ghost' (configured: a, mock)",
      "routing.providers.a.fallbacks[0]: a provider cannot fall back to itself",
      "routing.providers.a.fallbacks[1]: unknown provider 'nope'",
    ]);
  });
});

describe("what the merged config does", () => {
  const adapters = (config: Config) => new Map<string, ProviderAdapter>(Object.entries(config.providers).map(([name, p]) => [name, { name, type: p.type } as ProviderAdapter]));
  const file = files([
    "providers_csv: sub/providers.csv",
    "providers: { local: { type: ollama } }",
    "models:",
    "  smart: { strategy: priority, targets: [ { provider: openai, model: gpt-4o }, { provider: anthropic, model: claude-sonnet-4-5 }, { provider: local, model: llama3.2 } ] }",
    "  pinned: { targets: [ { provider: openai, model: gpt-4o, priority: 7, rpm: 5 } ] }",
  ].join("\n"));
  const config = loadConfigFile(file, ENV);
  const router = new Router(config, adapters(config));
  const view = (name: string) => {
    const r = router.resolve(name);
    return { strategy: r.strategy.name, targets: r.targets.map((t) => ({ key: t.key, priority: t.priority, rpm: t.rpm })) };
  };

  it("provider/MODEL tries the primary URL, then the secondary", () => {
    expect(view("openai/gpt-4o-mini")).toEqual({
      strategy: "priority",
      targets: [{ key: "openai/gpt-4o-mini", priority: 0, rpm: 3500 }, { key: "openai-secondary/gpt-4o-mini", priority: 1, rpm: 3500 }],
    });
    // A bare name the prefix rules send to openai takes the same path.
    expect(view("gpt-4o").targets.map((t) => t.key)).toEqual(["openai/gpt-4o", "openai-secondary/gpt-4o"]);
    // A row without a secondary URL: one target, as before.
    expect(view("anthropic/claude-haiku-4-5")).toEqual({ strategy: "weighted", targets: [{ key: "anthropic/claude-haiku-4-5", priority: 0, rpm: 1000 }] });
  });

  it("targets on a CSV provider take its priority and rpm unless they set their own", () => {
    expect(view("smart").targets).toEqual([
      { key: "openai/gpt-4o", priority: 1, rpm: 3500 },
      { key: "anthropic/claude-sonnet-4-5", priority: 2, rpm: 1000 },
      { key: "local/llama3.2", priority: 2, rpm: undefined }, // no CSV row: its place in the list
    ]);
    expect(view("pinned").targets).toEqual([{ key: "openai/gpt-4o", priority: 7, rpm: 5 }]);
  });

  it("cost_per_1k_tokens prices every model of the provider; the catalogue still prices the others", () => {
    const prices = loadPrices(config.prices);
    expect(prices.lookup("gpt-4o", "openai")).toMatchObject({ input: 2, output: 2, matched: "openai/*", from: "override" });
    expect(prices.lookup("some-new-model", "openai-secondary")).toMatchObject({ input: 2, output: 2 });
    expect(prices.lookup("gpt-4o", "local")).toMatchObject({ from: "catalogue" });
    // Cached input keeps the catalogue's ratio to input (gpt-4o: half).
    expect(prices.lookup("gpt-4o", "openai")!.cached_input).toBe(1);
    // An override naming the provider and the model wins over the provider's.
    const scoped = loadPrices({ models: { ...config.prices.models, "openai/gpt-4o-2024-08-06": { input: 5, output: 6 } } });
    expect(scoped.lookup("gpt-4o-2024-08-06", "openai")).toMatchObject({ input: 5, output: 6, matched: "openai/gpt-4o-2024-08-06" });
  });
});
