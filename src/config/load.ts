import { readFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { interpolate, type Env } from "./interpolate.js";
import { ALWAYS_CONFIGURED } from "../providers/registry.js";
import { configSchema, providerSchema, type Config, type ConfigInput } from "./schema.js";
import { zeroConfig } from "./zero-config.js";
import { ProvidersCsvError, withProvidersCsv } from "./providers-csv.js";

/** An invalid configuration: the message names the source, the key path and the problem. */
export class ConfigError extends Error {
  constructor(readonly source: string, readonly issues: string[]) {
    super(`${source}: invalid configuration\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(root)";
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      return `${path}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
    }
    return `${path}: ${issue.message}`;
  });
}

/** Checks what the schema cannot: references between sections. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  for (const [name, model] of Object.entries(config.models)) {
    if (name.includes("/") && config.providers[name.split("/")[0] as string]) {
      problems.push(`models.${name}: a model name must not start with a provider name and '/' (it would shadow provider/model addressing)`);
    }
    for (const kind of ["fallbacks", "context_window_fallbacks", "content_policy_fallbacks"] as const) {
      model[kind].forEach((f, i) => {
        const known = config.models[f] || config.aliases[f] || (f.includes("/") && config.providers[f.slice(0, f.indexOf("/"))]);
        if (!known) problems.push(`models.${name}.${kind}[${i}]: unknown model '${f}' (use a name under models:, an alias, or provider/model)`);
        if (f === name) problems.push(`models.${name}.${kind}[${i}]: a model cannot fall back to itself`);
      });
    }
    model.targets.forEach((t, i) => {
      if (!config.providers[t.provider]) {
        problems.push(`models.${name}.targets[${i}].provider: unknown provider '${t.provider}' (configured: ${Object.keys(config.providers).join(", ") || "none"})`);
      }
    });
  }
  for (const [name, p] of Object.entries(config.routing.providers)) {
    if (!Object.hasOwn(config.providers, name)) problems.push(`routing.providers.${name}: unknown provider '${name}' (configured: ${Object.keys(config.providers).join(", ") || "none"})`);
    p.fallbacks.forEach((f, i) => {
      if (!Object.hasOwn(config.providers, f)) problems.push(`routing.providers.${name}.fallbacks[${i}]: unknown provider '${f}'`);
      if (f === name) problems.push(`routing.providers.${name}.fallbacks[${i}]: a provider cannot fall back to itself`);
    });
  }
  const fallback = config.routing.default_provider;
  if (fallback !== undefined && !Object.hasOwn(config.providers, fallback)) {
    problems.push(`routing.default_provider: unknown provider '${fallback}' (configured: ${Object.keys(config.providers).join(", ") || "none"})`);
  }
  config.privacy.redact.custom.forEach((c, i) => {
    try {
      new RegExp(c.pattern, `${c.flags ?? ""}g`);
    } catch (err) {
      problems.push(`privacy.redact.custom[${i}].pattern: not a valid regular expression (${(err as Error).message})`);
    }
  });
  for (const [alias, target] of Object.entries(config.aliases)) {
    if (config.models[alias]) problems.push(`aliases.${alias}: the name is already a model under models:`);
    // Follow the chain: an alias may name another alias, but never loop.
    const seen = new Set([alias]);
    let next = target;
    while (config.aliases[next] !== undefined) {
      if (seen.has(next)) {
        problems.push(`aliases.${alias}: the aliases form a loop (${[...seen, next].join(" → ")})`);
        break;
      }
      seen.add(next);
      next = config.aliases[next]!;
    }
  }
  problems.push(...cacheChecks(config));
  return problems;
}

function cacheChecks(config: Config): string[] {
  const problems: string[] = [];
  const cache = config.cache;
  if (!cache.enabled) return problems;
  const isPostgres = /^postgres(ql)?:/.test(config.storage.url);
  if (cache.backend === "redis" && !config.redis) problems.push("cache.backend: 'redis' needs redis.url");
  const semantic = cache.semantic;
  if (semantic.enabled) {
    if (semantic.backend === "redis" && !config.redis) problems.push("cache.semantic.backend: 'redis' needs redis.url");
    if (semantic.backend === "postgres" && !isPostgres) problems.push("cache.semantic.backend: 'postgres' needs storage.url to be a postgres:// URL");
    const m = semantic.embedding_model ?? "";
    const known = config.models[m] || config.aliases[m] || (m.includes("/") && config.providers[m.slice(0, m.indexOf("/"))]);
    if (!known) problems.push(`cache.semantic.embedding_model: unknown model '${m}' (use a name under models:, an alias, or provider/model)`);
  }
  for (const name of Object.keys(cache.models)) {
    // Keys are route names, i.e. after alias resolution: an alias here would never match.
    const route = config.models[name] || (name.includes("/") && config.providers[name.slice(0, name.indexOf("/"))]);
    if (!route) problems.push(`cache.models.${name}: unknown model (use a name under models:, or provider/model${config.aliases[name] ? `; '${name}' is an alias of '${config.aliases[name]}'` : ""})`);
  }
  return problems;
}

/**
 * Validates a config object (already parsed and interpolated). Its
 * `providers_csv` is read relative to `options.baseDir` (the config file's
 * folder; default: the working directory) and merged in first.
 */
export function validateConfig(input: unknown, source = "config", options: { baseDir?: string; env?: Env } = {}): Config {
  let withCsv;
  try {
    withCsv = withProvidersCsv(input, options.baseDir ?? process.cwd(), options.env ?? process.env);
  } catch (err) {
    if (err instanceof ProvidersCsvError) throw new ConfigError(err.source, err.issues);
    throw err;
  }
  if (withCsv.problems.length) throw new ConfigError(source, withCsv.problems);
  const parsed = configSchema.safeParse(withCsv.config ?? {});
  if (!parsed.success) throw new ConfigError(source, formatIssues(parsed.error));
  const config = parsed.data;
  // Some providers are always available (the mock, so `mock/echo` works in every setup).
  for (const [name, block] of Object.entries(ALWAYS_CONFIGURED)) config.providers[name] ??= providerSchema.parse(block);
  const problems = crossCheck(config);
  if (problems.length) throw new ConfigError(source, problems);
  return config;
}

export function parseConfigText(text: string, source: string, env: Env = process.env, baseDir?: string): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(source, doc.errors.map((e) => `YAML: ${e.message.split("\n")[0]}`));
  }
  return validateConfig(interpolate(doc.toJS(), env), source, { env, ...(baseDir === undefined ? {} : { baseDir }) });
}

export function loadConfigFile(file: string, env: Env = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseConfigText(text, file, env, dirname(resolve(file)));
}

/**
 * The `serve` rule: an explicit file, else ./liaison.yaml when present, else
 * zero-config from the environment.
 */
export function resolveConfig(file: string | undefined, env: Env = process.env): { config: Config; source: string } {
  if (file) return { config: loadConfigFile(file, env), source: file };
  if (existsSync("liaison.yaml")) return { config: loadConfigFile("liaison.yaml", env), source: "liaison.yaml" };
  const input: ConfigInput = zeroConfig(env);
  return { config: validateConfig(input, "zero-config (environment)"), source: "zero-config" };
}
