/**
 * Price files: a catalogue document of our own format (what `liaison prices
 * update` writes) or LiteLLM's `model_prices_and_context_window.json`,
 * read, converted and validated; and the catalogue the gateway bills with —
 * the shipped one, `prices.file` over it, config overrides over both.
 */
import { readFileSync } from "node:fs";
import bundled from "./catalogue.json" with { type: "json" };
import { catalogueSchema, loadCatalogue, type CatalogueEntry, type PriceCatalogue } from "./catalogue.js";
import { fromLiteLLM, isLiteLLMPrices, type FromLiteLLMOptions } from "./litellm.js";
import type { PricesConfig } from "./price-config.js";

export interface PriceDocument {
  version: 1;
  models: CatalogueEntry[];
  /** Set when the document was converted from LiteLLM's format. */
  converted?: { from: "litellm"; skipped: number };
}

/** Today as YYYY-MM-DD (UTC): the date converted prices were taken. */
export function today(now = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * A parsed JSON document as a validated catalogue: ours as is, LiteLLM's
 * converted (dated `options.date`, default today). `name` (the file or
 * URL) is in every error.
 */
export function parsePriceDocument(doc: unknown, name: string, options: Partial<FromLiteLLMOptions> = {}): PriceDocument {
  let data = doc;
  let converted: PriceDocument["converted"];
  if (isLiteLLMPrices(doc)) {
    const result = fromLiteLLM(doc, { date: options.date ?? today(), ...(options.source ? { source: options.source } : {}) });
    if (result.models.length === 0) throw new Error(`${name}: no token-priced chat or embedding model found in the LiteLLM price file`);
    data = { version: 1, models: result.models };
    converted = { from: "litellm", skipped: result.skipped };
  } else if (!(typeof doc === "object" && doc !== null && "version" in doc && "models" in doc)) {
    throw new Error(`${name}: not a price file: expected Liaison's catalogue ({"version": 1, "models": [...]}) or LiteLLM's model_prices_and_context_window.json`);
  }
  const parsed = catalogueSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${name}: invalid price file at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? parsed.error.message}`);
  }
  // The catalogue refuses an id listed twice for one provider: found here, naming the file.
  loadCatalogue({ data: parsed.data });
  return { version: 1, models: parsed.data.models, ...(converted ? { converted } : {}) };
}

/** Reads and validates a price file (either format). */
export function readPriceFile(path: string, options: Partial<FromLiteLLMOptions> = {}): PriceDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`${path}: cannot read the price file: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  return parsePriceDocument(doc, path, options);
}

/**
 * The shipped entries with a file's laid over them: the file's first (so
 * they win where no provider hint decides), then every shipped entry the
 * file does not replace. A shipped entry is replaced for the ids the file
 * lists for the same provider; it keeps its other aliases.
 */
export function overlay(base: readonly CatalogueEntry[], over: readonly CatalogueEntry[]): CatalogueEntry[] {
  const claimed = new Set(over.flatMap((e) => [e.model, ...e.aliases].map((id) => `${e.provider}\u0000${id.toLowerCase()}`)));
  const taken = (e: CatalogueEntry, id: string): boolean => claimed.has(`${e.provider}\u0000${id.toLowerCase()}`);
  const kept: CatalogueEntry[] = [];
  for (const e of base) {
    if (taken(e, e.model)) continue;
    kept.push({ ...e, aliases: e.aliases.filter((a) => !taken(e, a)) });
  }
  return [...over, ...kept];
}

/** The shipped catalogue's entries, validated. */
export function shippedEntries(): CatalogueEntry[] {
  return catalogueSchema.parse(bundled).models;
}

/**
 * The catalogue the gateway bills with: the shipped one, `prices.file`
 * over it, `prices` overrides over both. Throws naming the file or the
 * override when one is bad, so a bad price never starts billing.
 */
export function loadPrices(prices: Pick<PricesConfig, "file" | "models"> = { models: {} }): PriceCatalogue {
  if (prices.file === undefined) return loadCatalogue({ overrides: prices.models });
  let file: PriceDocument;
  try {
    file = readPriceFile(prices.file);
  } catch (err) {
    throw new Error(`prices.file: ${(err as Error).message}`);
  }
  return loadCatalogue({ data: { version: 1, models: overlay(shippedEntries(), file.models) }, overrides: prices.models });
}

/**
 * A document as `liaison prices update` writes it: one entry per line, as
 * the shipped catalogue.json is laid out, so updates diff line by line.
 */
export function formatPriceDocument(doc: PriceDocument, comment: string): string {
  const lines = doc.models.map((e) => `  ${JSON.stringify(compact(e))}`);
  return `{\n "$comment": ${JSON.stringify(comment)},\n "version": 1,\n "models": [\n${lines.join(",\n")}\n ]\n}\n`;
}

/** An entry without the fields that only repeat the schema's defaults. */
function compact(e: CatalogueEntry): Partial<CatalogueEntry> {
  const { aliases, kind, verified, ...rest } = e;
  return { ...rest, ...(aliases.length ? { aliases } : {}), ...(kind === "chat" ? {} : { kind }), ...(verified ? {} : { verified }) };
}
