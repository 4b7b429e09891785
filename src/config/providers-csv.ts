/**
 * The provider list in CSV (DESIGN.md §7): `providers_csv: ./providers.csv`
 * in the config, read relative to the config file and merged with
 * `providers:`, and `liaison providers import FILE.csv`, which prints the
 * same thing as YAML. Both go through `providersCsvFragment`, so the file
 * means exactly what its printed YAML says.
 *
 * A row becomes: a provider named `provider_name` at `primary_url`; one
 * named `provider_name-secondary` at `secondary_url`, which direct
 * addressing (`provider_name/MODEL`) tries next (`routing.providers.NAME.fallbacks`);
 * `timeout` → the provider's `timeouts.total_ms`; `max_requests_per_minute`
 * and `priority` → `routing.providers.NAME.rpm` / `.priority` (the defaults
 * of every target on the provider); `cost_per_1k_tokens` → a price override
 * for every model of the provider (`prices.models["NAME/*"]`).
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { interpolate, type Env } from "./interpolate.js";
import { CsvSyntaxError, parseCsv } from "./providers-csv/csv-records.js";
import {
  blockProblems, CellError, EXTRA_COLUMNS, providerBlock, readRow, REQUIRED_COLUMNS, SECONDARY_SUFFIX, SEED_COLUMNS,
  type Column, type ProviderRow,
} from "./providers-csv/rows.js";

export { SECONDARY_SUFFIX, SEED_COLUMNS, EXTRA_COLUMNS };

/** A provider list that cannot be used: the file and every problem, each with its line and column. */
export class ProvidersCsvError extends Error {
  constructor(readonly source: string, readonly issues: string[]) {
    super(`${source}: invalid provider list\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ProvidersCsvError";
  }
}

export interface RoutingDefaults {
  fallbacks?: string[];
  priority?: number;
  rpm?: number;
}

/** What a provider list adds to a config, as its YAML would say it (`api_key: ${VAR}`, not the key). */
export interface ProvidersCsvFragment {
  providers: Record<string, Record<string, unknown>>;
  routing: { providers: Record<string, RoutingDefaults> };
  prices: { models: Record<string, { input: number; output: number }> };
}

export interface ProvidersCsv {
  fragment: ProvidersCsvFragment;
  /** The line each provider comes from, for messages about clashes with the YAML. */
  lines: Record<string, number>;
}

const KNOWN: readonly string[] = [...SEED_COLUMNS, ...EXTRA_COLUMNS];
const MAX_ISSUES = 20;

/** Parses a provider list; `source` names it in errors. Every problem is reported at once (up to 20). */
export function parseProvidersCsv(text: string, source: string): ProvidersCsv {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ProvidersCsvError(source, [`line ${err.line}: ${err.message}`]);
    throw err;
  }
  const header = records.shift();
  if (!header) throw new ProvidersCsvError(source, [`the file is empty; its first line is the header: ${SEED_COLUMNS.join(",")}`]);
  const columns = header.cells.map((c) => c.trim().toLowerCase());
  const issues: string[] = [];
  columns.forEach((c, i) => {
    if (!KNOWN.includes(c)) issues.push(`line ${header.line}, column ${i + 1}: unknown column ${JSON.stringify(header.cells[i])} (columns: ${KNOWN.join(", ")})`);
    else if (columns.indexOf(c) !== i) issues.push(`line ${header.line}: column ${c} appears twice`);
  });
  for (const c of REQUIRED_COLUMNS) if (!columns.includes(c)) issues.push(`line ${header.line}: missing column ${c} (the header is ${SEED_COLUMNS.join(",")})`);
  if (issues.length) throw new ProvidersCsvError(source, issues);

  const out: ProvidersCsv = { fragment: { providers: {}, routing: { providers: {} }, prices: { models: {} } }, lines: {} };
  for (const record of records) {
    if (record.cells.length > columns.length) {
      issues.push(`line ${record.line}: ${record.cells.length} cells but the header names ${columns.length} columns (a comma inside a value needs "quotes")`);
      continue;
    }
    const cells: Partial<Record<Column, string>> = {};
    record.cells.forEach((v, i) => {
      const value = v.trim();
      if (value) cells[columns[i] as Column] = value;
    });
    const problems = addRow(out, cells, record.line, columns.includes("type"));
    issues.push(...problems.map((p) => `line ${record.line}, column ${p.column}: ${p.message}`));
    if (issues.length >= MAX_ISSUES) break;
  }
  if (issues.length) throw new ProvidersCsvError(source, issues.slice(0, MAX_ISSUES));
  return out;
}

function addRow(out: ProvidersCsv, cells: Partial<Record<Column, string>>, line: number, hasTypeColumn: boolean): CellError[] {
  let row: ProviderRow;
  try {
    row = readRow(cells, hasTypeColumn);
  } catch (err) {
    if (err instanceof CellError) return [err];
    throw err;
  }
  const names = [row.name, ...(row.secondaryUrl ? [row.name + SECONDARY_SUFFIX] : [])];
  for (const name of names) {
    if (out.lines[name] !== undefined) {
      return [new CellError("provider_name", `provider ${name} is already defined on line ${out.lines[name]}${name === row.name ? "" : ` (a secondary_url makes ${name})`}`)];
    }
  }
  const blocks = [providerBlock(row, row.primaryUrl), ...(row.secondaryUrl ? [providerBlock(row, row.secondaryUrl)] : [])];
  const problems = blocks.flatMap((b, i) => blockProblems(b, i === 0 ? "primary_url" : "secondary_url"));
  if (problems.length) return problems;
  const defaults: RoutingDefaults = {
    ...(row.priority !== undefined ? { priority: row.priority } : {}),
    ...(row.rpm !== undefined ? { rpm: row.rpm } : {}),
  };
  names.forEach((name, i) => {
    out.lines[name] = line;
    out.fragment.providers[name] = blocks[i]!;
    const routing = { ...(i === 0 && names.length > 1 ? { fallbacks: [names[1]!] } : {}), ...defaults };
    if (Object.keys(routing).length) out.fragment.routing.providers[name] = routing;
    if (row.pricePerMillion !== undefined) out.fragment.prices.models[`${name}/*`] = { input: row.pricePerMillion, output: row.pricePerMillion };
  });
  return [];
}

/** How a path is shown in messages: relative to the working directory when it is below it. */
function shownPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

/** Reads a provider list from a file (`shownAs` names it in errors). */
export function readProvidersCsv(path: string, shownAs = path): ProvidersCsv {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ProvidersCsvError(shownAs, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseProvidersCsv(text, shownAs);
}

/** The YAML `liaison providers import` prints: what to paste into a config instead of `providers_csv:`. */
export function providersCsvYaml(csv: ProvidersCsv, source: string): string {
  const { providers, routing, prices } = csv.fragment;
  const doc: Record<string, unknown> = { providers };
  if (Object.keys(routing.providers).length) doc.routing = routing;
  if (Object.keys(prices.models).length) doc.prices = prices;
  return `# From ${source} (liaison providers import). Merge into liaison.yaml, or keep the CSV and set providers_csv: ${source}\n${stringify(doc, { lineWidth: 0 })}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A config object (parsed and interpolated) with its `providers_csv` read
 * and merged in; `baseDir` is the config file's folder. The YAML wins
 * over the CSV for `routing.providers` fields and prices it sets itself; a
 * provider defined in both is an error (returned as problems, with the
 * config's key path). `providers_csv` itself is consumed: the result holds
 * its providers, not the path.
 */
export function withProvidersCsv(input: unknown, baseDir: string, env: Env): { config: unknown; problems: string[] } {
  if (!isObject(input) || typeof input.providers_csv !== "string" || input.providers_csv === "") return { config: input, problems: [] };
  const { providers_csv: file, ...rest } = input;
  const abs = isAbsolute(file) ? file : resolve(baseDir, file);
  const csv = readProvidersCsv(abs, shownPath(abs));
  const fragment = interpolate(csv.fragment, env) as ProvidersCsvFragment;
  const problems: string[] = [];
  // `providers:` left empty in the YAML is null: nothing to merge with.
  const providers = isObject(rest.providers) ? { ...rest.providers } : rest.providers == null ? {} : undefined;
  if (!providers) return { config: input, problems: [] }; // providers: is not a map: the schema says so
  for (const [name, block] of Object.entries(fragment.providers)) {
    if (Object.hasOwn(providers, name)) problems.push(`providers.${name}: also defined by ${shownPath(abs)} line ${csv.lines[name]} (define a provider in one place)`);
    else providers[name] = block;
  }
  const out: Record<string, unknown> = { ...rest, providers };
  if (Object.keys(fragment.routing.providers).length) {
    const routing = isObject(rest.routing) ? { ...rest.routing } : rest.routing === undefined ? {} : undefined;
    if (routing && (routing.providers === undefined || isObject(routing.providers))) {
      const own = (routing.providers ?? {}) as Record<string, unknown>;
      const merged: Record<string, unknown> = { ...own };
      for (const [name, defaults] of Object.entries(fragment.routing.providers)) merged[name] = isObject(own[name]) ? { ...defaults, ...own[name] } : own[name] ?? defaults;
      out.routing = { ...routing, providers: merged };
    }
  }
  if (Object.keys(fragment.prices.models).length) {
    const prices = isObject(rest.prices) ? rest.prices : rest.prices === undefined ? {} : undefined;
    if (prices && (prices.models === undefined || isObject(prices.models))) {
      const own = (prices.models ?? {}) as Record<string, unknown>;
      const models: Record<string, unknown> = { ...own };
      for (const [key, price] of Object.entries(fragment.prices.models)) if (!Object.hasOwn(own, key) && !Object.hasOwn(prices, key)) models[key] = price;
      out.prices = { ...prices, models };
    }
  }
  return { config: out, problems };
}
