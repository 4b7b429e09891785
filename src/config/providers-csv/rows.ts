/**
 * One provider list row (DESIGN.md §7 "Provider list in CSV") → what the
 * YAML would say. The header is the seed's:
 *
 *   provider_name,primary_url,secondary_url,api_key_env,timeout,max_requests_per_minute,cost_per_1k_tokens,priority
 *
 * plus the optional `type` and `models`. Each column maps onto a config
 * feature that already exists (docs/configuration.md, "Provider list in CSV").
 */
import { z } from "zod";
import { OPENAI_PRESETS, type OpenAIPresetName } from "../../providers/openai/presets.js";
import { providerSchema } from "../../providers/registry.js";

export const SEED_COLUMNS = [
  "provider_name", "primary_url", "secondary_url", "api_key_env", "timeout",
  "max_requests_per_minute", "cost_per_1k_tokens", "priority",
] as const;
export const EXTRA_COLUMNS = ["type", "models"] as const;
export type Column = (typeof SEED_COLUMNS)[number] | (typeof EXTRA_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly Column[] = ["provider_name", "primary_url"];

/** The secondary URL becomes a provider of its own, named after the row's: `openai` → `openai-secondary`. */
export const SECONDARY_SUFFIX = "-secondary";

/** A problem in one cell. */
export class CellError extends Error {
  constructor(readonly column: Column, message: string) {
    super(message);
  }
}

/** A row, checked and converted: every field as the YAML would hold it. */
export interface ProviderRow {
  name: string;
  type: string;
  primaryUrl: string;
  secondaryUrl?: string;
  apiKeyEnv?: string;
  totalMs?: number;
  rpm?: number;
  /** USD per million tokens (the catalogue's unit): cost_per_1k_tokens × 1000. */
  pricePerMillion?: number;
  priority?: number;
  models?: string[];
}

/** Each provider type's schema, by type name (a union member may hold several: the OpenAI presets). */
const SCHEMA_BY_TYPE: ReadonlyMap<string, z.ZodObject> = new Map(providerSchema.options.flatMap((o) => {
  const t = o.shape.type as z.ZodEnum | z.ZodLiteral;
  const names = t instanceof z.ZodEnum ? (t.options as string[]) : [...(t as z.ZodLiteral).values].map(String);
  return names.map((n) => [n, o as unknown as z.ZodObject] as const);
}));
export const PROVIDER_TYPES: readonly string[] = [...SCHEMA_BY_TYPE.keys()];

const NAME = /^[A-Za-z0-9_.-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const shown = (v: string): string => JSON.stringify(v);

/** A number written plainly (`30`, `0.5`), optionally with a unit the column allows (`30s`, `$0.002`). */
function decimal(column: Column, raw: string, what: string, strip: RegExp): number {
  const s = raw.replace(strip, "");
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) throw new CellError(column, `must be ${what} (got ${shown(raw)})`);
  return Number(s);
}

function integer(column: Column, raw: string, what: string, min: number): number {
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) throw new CellError(column, `must be ${what} (got ${shown(raw)})`);
  return Number(raw);
}

/**
 * The URL as the provider block wants it. A URL without a path gets the
 * type's usual one: only the OpenAI-wire presets keep a path in `base_url`
 * (`https://api.openai.com` → `…/v1`, groq's `/openai/v1`); every other type
 * takes the origin and its adapter adds the path (Anthropic's `/v1/messages`).
 */
export function providerUrl(column: Column, raw: string, type: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CellError(column, `must be an http(s) URL (got ${shown(raw)})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CellError(column, `must be an http(s) URL (got ${shown(raw)})`);
  if (url.search || url.hash) throw new CellError(column, `must not have a query or fragment (got ${shown(raw)})`);
  const preset = OPENAI_PRESETS[type as OpenAIPresetName] as { baseUrl: string } | undefined;
  if (preset && (url.pathname === "/" || url.pathname === "")) return `${raw.replace(/\/+$/, "")}${new URL(preset.baseUrl).pathname.replace(/\/+$/, "")}`;
  return raw.replace(/\/+$/, "");
}

/** The row's type: its `type` cell, else its name when the name is a provider type. */
function typeOf(cells: Partial<Record<Column, string>>, hasTypeColumn: boolean): string {
  const given = cells.type?.toLowerCase();
  if (given) {
    if (!SCHEMA_BY_TYPE.has(given)) throw new CellError("type", `unknown provider type ${shown(cells.type!)} (types: ${PROVIDER_TYPES.join(", ")})`);
    return given;
  }
  const byName = cells.provider_name!.toLowerCase();
  if (SCHEMA_BY_TYPE.has(byName)) return byName;
  throw new CellError(hasTypeColumn ? "type" : "provider_name",
    `${shown(cells.provider_name!)} is not a provider type, so the row needs a type${hasTypeColumn ? "" : " column"} (openai for any OpenAI-compatible server; types: ${PROVIDER_TYPES.join(", ")})`);
}

/** Checks and converts one row's cells (empty cells are absent). Throws a CellError naming the column. */
export function readRow(cells: Partial<Record<Column, string>>, hasTypeColumn: boolean): ProviderRow {
  const name = cells.provider_name;
  if (!name) throw new CellError("provider_name", "is empty (every row names its provider)");
  if (!NAME.test(name)) throw new CellError("provider_name", `may use letters, digits, _ . - only (got ${shown(name)})`);
  const type = typeOf(cells, hasTypeColumn);
  if (!("base_url" in SCHEMA_BY_TYPE.get(type)!.shape)) throw new CellError("type", `type ${type} is reached without a URL; configure it under providers: in the YAML instead`);
  if (!cells.primary_url) throw new CellError("primary_url", "is empty (every row needs the URL to reach its provider)");
  const row: ProviderRow = { name, type, primaryUrl: providerUrl("primary_url", cells.primary_url, type) };
  if (cells.secondary_url) row.secondaryUrl = providerUrl("secondary_url", cells.secondary_url, type);
  if (cells.api_key_env) {
    // `${OPENAI_API_KEY}` and `$OPENAI_API_KEY` mean the variable too.
    const env = cells.api_key_env.replace(/^\$\{(.*)\}$/, "$1").replace(/^\$/, "");
    if (!ENV_NAME.test(env)) throw new CellError("api_key_env", `must name an environment variable, such as OPENAI_API_KEY (got ${shown(cells.api_key_env)})`);
    row.apiKeyEnv = env;
  }
  if (cells.timeout) {
    const seconds = decimal("timeout", cells.timeout, "a number of seconds greater than 0", /s$/i);
    if (Math.round(seconds * 1000) < 1) throw new CellError("timeout", `must be a number of seconds greater than 0 (got ${shown(cells.timeout)})`);
    row.totalMs = Math.round(seconds * 1000);
  }
  if (cells.max_requests_per_minute) row.rpm = integer("max_requests_per_minute", cells.max_requests_per_minute, "a whole number of requests greater than 0", 1);
  if (cells.cost_per_1k_tokens) {
    const per1k = decimal("cost_per_1k_tokens", cells.cost_per_1k_tokens, "a price in USD, such as 0.002", /^\$/);
    // To the catalogue's unit without binary noise (0.0015 × 1000 is 1.5, not 1.4999999999999998).
    row.pricePerMillion = Number((per1k * 1000).toPrecision(12));
  }
  if (cells.priority) row.priority = integer("priority", cells.priority, "a whole number (lower is tried first)", Number.MIN_SAFE_INTEGER);
  if (cells.models) {
    const models = cells.models.split(/[\s;|,]+/).filter(Boolean);
    if (models.length) row.models = models;
  }
  return row;
}

/** The provider block of one URL of a row, as YAML holds it (the key as `${VAR}`). */
export function providerBlock(row: ProviderRow, baseUrl: string): Record<string, unknown> {
  return {
    type: row.type,
    base_url: baseUrl,
    ...(row.apiKeyEnv ? { api_key: `\${${row.apiKeyEnv}}` } : {}),
    ...(row.totalMs ? { timeouts: { total_ms: row.totalMs } } : {}),
    ...(row.models ? { models: row.models } : {}),
  };
}

/** What the provider schema says of a block, each problem on the column it came from. */
export function blockProblems(block: Record<string, unknown>, urlColumn: Column): CellError[] {
  const parsed = providerSchema.safeParse(block);
  if (parsed.success) return [];
  const columnOf: Record<string, Column> = { base_url: urlColumn, api_key: "api_key_env", timeouts: "timeout", models: "models", type: "type" };
  return parsed.error.issues.map((issue) => new CellError(columnOf[String(issue.path[0])] ?? "type", issue.message));
}
