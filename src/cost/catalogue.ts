/**
 * The price catalogue: USD per million tokens per model, shipped as data
 * (catalogue.json, each entry with its source page and date) and validated
 * once at start-up, plus the per-model overrides from config.
 *
 * Lookups take the model name the upstream reported and try progressively
 * looser forms of it (see candidateIds), so dated snapshots, Bedrock ids,
 * `provider/model` and Gemini's `models/` prefix all find their entry
 * without listing every variant.
 */
import { z } from "zod";
import bundled from "./catalogue.json" with { type: "json" };

const usd = z.number().finite().min(0);

/** The prices above a prompt size (Anthropic's and Google's long-context tiers): the whole request is billed at them. */
const longContextSchema = z.strictObject({
  /** Prompt tokens above which the tier applies. */
  threshold: z.number().int().positive(),
  input: usd,
  output: usd,
  cached_input: usd.optional(),
  cache_write: usd.optional(),
  cache_write_1h: usd.optional(),
});

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date must be YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "date must be a real calendar date");

export const catalogueEntrySchema = z.strictObject({
  /** Who sells it at this price (openai, anthropic, google, bedrock, groq, ...). */
  provider: z.string().min(1),
  /** The model id as the provider names it; matched after normalisation. */
  model: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  kind: z.enum(["chat", "embedding"]).default("chat"),
  input: usd,
  output: usd,
  /** Cache hits (OpenAI cached_tokens, Anthropic cache reads, Gemini cached content, DeepSeek cache hits). */
  cached_input: usd.optional(),
  /** Anthropic-style cache writes (5-minute TTL). */
  cache_write: usd.optional(),
  /** Anthropic 1-hour cache writes. */
  cache_write_1h: usd.optional(),
  long_context: longContextSchema.optional(),
  /** The pricing page the price was taken from. */
  source: z.string().url(),
  date: dateSchema,
  /** false: not re-checked against the live page; confirm before relying on it. */
  verified: z.boolean().default(true),
  note: z.string().optional(),
});

export const catalogueSchema = z.looseObject({
  version: z.literal(1),
  models: z.array(catalogueEntrySchema).min(1),
});

export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;

/** A config override: `prices: { "gpt-4o": { input, output, cached_input } }`. Keys may be `provider/model`. */
export const priceOverrideSchema = z.strictObject({
  input: usd,
  output: usd,
  cached_input: usd.optional(),
  cache_write: usd.optional(),
  cache_write_1h: usd.optional(),
});
export type PriceOverride = z.infer<typeof priceOverrideSchema>;

/** The prices cost.ts bills with, every field filled. */
export interface ModelPrice {
  input: number;
  output: number;
  cached_input: number;
  cache_write: number;
  cache_write_1h: number;
  long_context?: { threshold: number; input: number; output: number; cached_input: number; cache_write: number; cache_write_1h: number };
}

export interface ResolvedPrice extends ModelPrice {
  /** The catalogue id or override key that matched. */
  matched: string;
  from: "catalogue" | "override";
  entry?: CatalogueEntry;
}

// Bedrock model ids: `vendor.model-vN:M`, optionally behind a cross-region
// inference profile's geography (`us.`, `eu.`, `global.`, ...).
const BEDROCK_VENDORS = "anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer";
const BEDROCK_VENDOR = new RegExp(`^(?:${BEDROCK_VENDORS})\\.`);
const BEDROCK_REGION = new RegExp(`^(?:us|eu|apac|us-gov|ca|jp|au|global)\\.(?=(?:${BEDROCK_VENDORS})\\.)`);
// Suffixes that name a snapshot of the same priced model, most specific first.
const SNAPSHOT_SUFFIXES = [
  /-\d{4}-\d{2}-\d{2}$/, // OpenAI: gpt-4o-2024-08-06
  /-\d{8}$/, // Anthropic: claude-sonnet-4-5-20250929
  /@\d{8}$/, // Vertex AI: claude-sonnet-4-5@20250929
  /-latest$/, // claude-3-5-sonnet-latest, mistral-large-latest
  /-preview-\d{2}-\d{2,4}$/, // gemini-2.5-flash-preview-05-20, -preview-09-2025
  /-preview$/, // o1-preview, gpt-4-turbo-preview
  /-\d{3}$/, // gemini-2.0-flash-001
];
const BEDROCK_VERSION = /-v\d+(?::\d+)?$|:\d+$/;

/**
 * The ids to try for a model name, most specific first: as given, without
 * Bedrock's region, without each leading `segment/` (provider prefixes,
 * Gemini's `models/`), then without snapshot suffixes one by one.
 */
export function candidateIds(model: string): string[] {
  const out: string[] = [];
  const push = (id: string): void => {
    if (id !== "" && !out.includes(id)) out.push(id);
  };
  let id = model.trim().toLowerCase();
  push(id);
  const bases: string[] = [id];
  for (let slash = id.indexOf("/"); slash >= 0; slash = id.indexOf("/")) {
    id = id.slice(slash + 1);
    bases.push(id);
  }
  for (const base of bases) {
    let s = base.replace(BEDROCK_REGION, "");
    push(s);
    if (BEDROCK_VENDOR.test(s)) {
      // anthropic.claude-3-5-sonnet-20241022-v2:0 → …-20241022 → claude-3-5-sonnet-20241022
      s = s.replace(BEDROCK_VERSION, "");
      push(s);
      s = s.replace(BEDROCK_VENDOR, "");
      push(s);
    }
    for (let changed = true; changed;) {
      changed = false;
      for (const suffix of SNAPSHOT_SUFFIXES) {
        const next = s.replace(suffix, "");
        if (next !== s && next !== "") {
          s = next;
          push(s);
          changed = true;
          break;
        }
      }
    }
  }
  return out;
}

export class PriceCatalogue {
  readonly entries: readonly CatalogueEntry[];
  readonly #byId = new Map<string, CatalogueEntry[]>();
  readonly #overrides = new Map<string, PriceOverride>();
  /** lookup() results by provider and model: the same few models are priced on every request. */
  readonly #memo = new Map<string, ResolvedPrice | null>();

  constructor(entries: CatalogueEntry[], overrides: Record<string, PriceOverride> = {}) {
    this.entries = entries;
    const seen = new Set<string>();
    for (const entry of entries) {
      for (const id of [entry.model, ...entry.aliases].map((x) => x.toLowerCase())) {
        const key = `${entry.provider}\u0000${id}`;
        if (seen.has(key)) throw new Error(`Price catalogue: ${entry.provider} lists ${id} twice`);
        seen.add(key);
        const list = this.#byId.get(id) ?? [];
        list.push(entry);
        this.#byId.set(id, list);
      }
    }
    for (const [model, price] of Object.entries(overrides)) this.#overrides.set(model.trim().toLowerCase(), price);
  }

  /**
   * The prices for an upstream model, or undefined when neither config nor
   * the catalogue knows it. `provider` (the configured provider name, or the
   * catalogue's provider family) lets an override keyed `groq/llama-3.3-70b`
   * win for that provider only, and breaks ties between catalogue entries.
   * At each step from specific to loose, an override wins over the catalogue.
   */
  lookup(model: string, provider?: string): ResolvedPrice | undefined {
    const memoKey = `${provider ?? ""}\u0000${model}`;
    const memo = this.#memo.get(memoKey);
    if (memo !== undefined) return memo ?? undefined;
    const found = this.#resolve(model, provider);
    // Bounded: model names come from clients (provider/model); clear rather than grow.
    if (this.#memo.size >= 1_000) this.#memo.clear();
    this.#memo.set(memoKey, found ?? null);
    return found;
  }

  #resolve(model: string, provider?: string): ResolvedPrice | undefined {
    const hint = provider?.toLowerCase();
    // `provider/*` prices every model of one provider (a CSV provider list's cost_per_1k_tokens);
    // only an override naming the provider and the model itself wins over it.
    const wide = hint === undefined ? undefined : this.#overrides.get(`${hint}/*`);
    if (wide) {
      const ids = candidateIds(model);
      const id = ids.find((i) => this.#overrides.has(`${hint}/${i}`));
      if (id !== undefined) return fromOverride(this.#overrides.get(`${hint}/${id}`)!, `${hint}/${id}`, this.#entryFor(id, hint));
      // Cache reads and writes keep the catalogue's ratio to input, as for any override.
      let entry: CatalogueEntry | undefined;
      for (const i of ids) if ((entry = this.#entryFor(i, hint))) break;
      return fromOverride(wide, `${hint}/*`, entry);
    }
    for (const id of candidateIds(model)) {
      const scoped = hint === undefined ? undefined : this.#overrides.get(`${hint}/${id}`);
      const override = scoped ?? this.#overrides.get(id);
      if (override) {
        return fromOverride(override, scoped ? `${hint}/${id}` : id, this.#entryFor(id, hint));
      }
      const entry = this.#entryFor(id, hint);
      if (entry) return { ...fromEntry(entry), matched: id, from: "catalogue", entry };
    }
    return undefined;
  }

  #entryFor(id: string, hint: string | undefined): CatalogueEntry | undefined {
    const list = this.#byId.get(id);
    if (!list) return undefined;
    return list.find((e) => e.provider === hint) ?? list[0];
  }
}

function fromEntry(e: CatalogueEntry | PriceOverride): ModelPrice {
  const cached = e.cached_input ?? e.input;
  const price: ModelPrice = {
    input: e.input,
    output: e.output,
    cached_input: cached,
    // Without a listed write price a cache write costs what plain input does.
    cache_write: e.cache_write ?? e.input,
    cache_write_1h: e.cache_write_1h ?? e.cache_write ?? e.input,
  };
  const lc = "long_context" in e ? e.long_context : undefined;
  if (lc) {
    price.long_context = {
      threshold: lc.threshold,
      input: lc.input,
      output: lc.output,
      cached_input: lc.cached_input ?? lc.input,
      cache_write: lc.cache_write ?? lc.input,
      cache_write_1h: lc.cache_write_1h ?? lc.cache_write ?? lc.input,
    };
  }
  return price;
}

/**
 * An override sets the base prices. Cache prices it leaves out keep the
 * catalogue entry's ratio to input (providers define them that way: OpenAI
 * cached = 50% or 10% of input, Anthropic writes 1.25×, reads 0.1×), so
 * overriding only input/output of a Claude model still bills cache traffic
 * sensibly; without an entry they cost what plain input does. The
 * catalogue's long-context tier is dropped: it was priced against the old base.
 */
function fromOverride(o: PriceOverride, matched: string, entry: CatalogueEntry | undefined): ResolvedPrice {
  const scaled = (field: "cached_input" | "cache_write" | "cache_write_1h"): number | undefined => {
    if (o[field] !== undefined) return o[field];
    const listed = field === "cache_write_1h" ? entry?.cache_write_1h ?? entry?.cache_write : entry?.[field];
    if (listed === undefined || !entry || entry.input === 0) return undefined;
    return (listed / entry.input) * o.input;
  };
  const merged: PriceOverride = { input: o.input, output: o.output };
  for (const field of ["cached_input", "cache_write", "cache_write_1h"] as const) {
    const v = scaled(field);
    if (v !== undefined) merged[field] = v;
  }
  return { ...fromEntry(merged), matched, from: "override", ...(entry ? { entry } : {}) };
}

export interface LoadCatalogueOptions {
  /** Config overrides, keyed by model (or `provider/model`). */
  overrides?: Record<string, PriceOverride>;
  /** Another catalogue document instead of the bundled one (tests, forks). */
  data?: unknown;
}

/**
 * Validates the catalogue document and builds the lookup. Throws with the
 * offending entry's path, so a bad edit of catalogue.json or a bad override
 * stops start-up instead of billing wrong.
 */
export function loadCatalogue(options: LoadCatalogueOptions = {}): PriceCatalogue {
  const parsed = catalogueSchema.safeParse(options.data ?? bundled);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join(".") : "";
    throw new Error(`Invalid price catalogue at ${where || "(root)"}: ${issue?.message ?? parsed.error.message}`);
  }
  const overrides: Record<string, PriceOverride> = {};
  for (const [model, value] of Object.entries(options.overrides ?? {})) {
    const o = priceOverrideSchema.safeParse(value);
    if (!o.success) throw new Error(`Invalid price override for ${model}: ${o.error.issues[0]?.message ?? o.error.message}`);
    overrides[model] = o.data;
  }
  return new PriceCatalogue(parsed.data.models, overrides);
}
