/**
 * LiteLLM's `model_prices_and_context_window.json` → catalogue entries.
 * LiteLLM keeps the most complete public price list, keyed by model with
 * USD per token (`input_cost_per_token`, `cache_read_input_token_cost`,
 * `input_cost_per_token_above_200k_tokens` …) and the seller in
 * `litellm_provider`; the catalogue keeps USD per million tokens per
 * (provider, model) with a source and a date. Only token-priced chat,
 * completion and embedding models are taken: image, audio, rerank and
 * per-request prices have no place in a per-token bill.
 */
import type { z } from "zod";
import { catalogueEntrySchema } from "./catalogue.js";

type EntryInput = z.input<typeof catalogueEntrySchema>;

/** Where LiteLLM publishes the file; the entries' source unless an entry names its own page. */
export const LITELLM_PRICES_URL = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json";

/** Modes priced per token that the gateway serves; a missing mode is taken as chat. */
const MODES: Readonly<Record<string, "chat" | "embedding">> = { chat: "chat", completion: "chat", responses: "chat", embedding: "embedding" };

/** LiteLLM's seller names where the catalogue (and the provider presets) name the seller differently. */
const PROVIDERS: Readonly<Record<string, string>> = {
  gemini: "google",
  bedrock_converse: "bedrock",
  together_ai: "together",
  fireworks_ai: "fireworks",
  "text-completion-openai": "openai",
  "text-completion-codestral": "mistral",
  codestral: "mistral",
};

/** `input_cost_per_token_above_200k_tokens` → 200000: LiteLLM's long-context tiers. */
const TIER = /^input_cost_per_token_above_(\d+)k_tokens$/;

export interface FromLiteLLMOptions {
  /** The date the prices were taken (YYYY-MM-DD); LiteLLM's entries carry none. */
  date: string;
  /** The source for entries that do not name their own page. */
  source?: string;
}

export interface Converted {
  models: EntryInput[];
  /** Keys left out: not token-priced, not a mode the gateway serves, not a valid entry, or repeated. */
  skipped: number;
}

/** Does this document look like LiteLLM's price file (an object of model → {litellm_provider, …_cost_per_token})? */
export function isLiteLLMPrices(doc: unknown): doc is Record<string, unknown> {
  if (!isObject(doc) || "version" in doc) return false;
  return Object.values(doc).some((v) => isObject(v) && typeof v.litellm_provider === "string");
}

/**
 * Converts LiteLLM's entries. Keys LiteLLM lists under a provider prefix
 * (`groq/llama-3.3-70b-versatile`, `gemini/gemini-2.5-pro`) lose it, as the
 * catalogue keys by provider already. Each (provider, model) is kept once;
 * the provider's own listing (a key without a prefix) comes first, so a
 * lookup that no provider hint settles finds the maker's price.
 */
export function fromLiteLLM(doc: Record<string, unknown>, options: FromLiteLLMOptions): Converted {
  const direct: EntryInput[] = [];
  const prefixed: EntryInput[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const [key, raw] of Object.entries(doc)) {
    const converted = isObject(raw) && key !== "sample_spec" ? convert(key, raw, options) : undefined;
    // One odd entry (a price the schema refuses) is left out, not a reason to refuse the whole list.
    const entry = converted && catalogueEntrySchema.safeParse(converted).success ? converted : undefined;
    const id = entry && `${entry.provider}\u0000${entry.model.toLowerCase()}`;
    if (!entry || !id || seen.has(id)) {
      skipped++;
      continue;
    }
    seen.add(id);
    (entry.model === key ? direct : prefixed).push(entry);
  }
  return { models: [...direct, ...prefixed], skipped };
}

function convert(key: string, e: Record<string, unknown>, options: FromLiteLLMOptions): EntryInput | undefined {
  const seller = typeof e.litellm_provider === "string" ? e.litellm_provider : undefined;
  const kind = e.mode === undefined ? "chat" : MODES[String(e.mode)];
  const input = perMillion(e.input_cost_per_token);
  const output = perMillion(e.output_cost_per_token) ?? (kind === "embedding" ? 0 : undefined);
  if (!seller || !kind || input === undefined || output === undefined) return undefined;
  const entry: EntryInput = {
    provider: providerName(seller),
    model: modelId(key, seller),
    kind,
    input,
    output,
    source: typeof e.source === "string" && /^https?:\/\/\S+$/.test(e.source) && URL.canParse(e.source) ? e.source : options.source ?? LITELLM_PRICES_URL,
    date: options.date,
    // Taken from LiteLLM's list, not read off the seller's page.
    verified: false,
    note: `imported from LiteLLM (${key})`,
  };
  setIf(entry, "cached_input", perMillion(e.cache_read_input_token_cost));
  setIf(entry, "cache_write", perMillion(e.cache_creation_input_token_cost));
  setIf(entry, "cache_write_1h", perMillion(e.cache_creation_input_token_cost_above_1hr));
  const tier = longContext(e);
  if (tier) entry.long_context = tier;
  return entry;
}

/** The lowest long-context tier with both prices (the catalogue keeps one tier). */
function longContext(e: Record<string, unknown>): EntryInput["long_context"] {
  const thresholds = Object.keys(e).map((k) => TIER.exec(k)?.[1]).filter((k): k is string => k !== undefined).sort((a, b) => Number(a) - Number(b));
  for (const k of thresholds) {
    const input = perMillion(e[`input_cost_per_token_above_${k}k_tokens`]);
    const output = perMillion(e[`output_cost_per_token_above_${k}k_tokens`]);
    if (input === undefined || output === undefined) continue;
    const tier: NonNullable<EntryInput["long_context"]> = { threshold: Number(k) * 1_000, input, output };
    setIf(tier, "cached_input", perMillion(e[`cache_read_input_token_cost_above_${k}k_tokens`]));
    setIf(tier, "cache_write", perMillion(e[`cache_creation_input_token_cost_above_${k}k_tokens`]));
    setIf(tier, "cache_write_1h", perMillion(e[`cache_creation_input_token_cost_above_1hr_above_${k}k_tokens`]));
    return tier;
  }
  return undefined;
}

function providerName(seller: string): string {
  // vertex_ai-language-models, vertex_ai-anthropic_models, …: one seller.
  if (seller.startsWith("vertex_ai")) return "vertex_ai";
  return PROVIDERS[seller] ?? seller;
}

/** The key without the seller's prefix: `groq/llama-3.3-70b` → `llama-3.3-70b`, `vertex_ai/claude-…` (seller vertex_ai-…) → `claude-…`. */
function modelId(key: string, seller: string): string {
  const slash = key.indexOf("/");
  if (slash <= 0) return key;
  const prefix = key.slice(0, slash);
  const rest = key.slice(slash + 1);
  return rest !== "" && (seller === prefix || seller.startsWith(`${prefix}-`)) ? rest : key;
}

/** USD per token → per million, without float noise (2.5e-6 × 1e6 = 2.4999999999999996). */
function perMillion(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  return Number((n * 1e6).toPrecision(12));
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
