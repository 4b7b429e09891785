/**
 * The cost of one request from its canonical usage. Adapters all report the
 * OpenAI shape, but what its numbers include differs by provider; this is
 * the one place that knows how to split them into billable buckets:
 *
 * - OpenAI / Azure / Gemini / Ollama: prompt_tokens includes
 *   prompt_tokens_details.cached_tokens; completion_tokens includes
 *   completion_tokens_details.reasoning_tokens (Gemini's adapter adds the
 *   thoughts in, as Google bills them as output).
 * - Anthropic (and Bedrock when its adapter keeps the same raw keys):
 *   prompt_tokens = input_tokens + cache_read_input_tokens +
 *   cache_creation_input_tokens, the raw counters kept on usage. Cache writes
 *   bill at cache_write (1.25× input; 1-hour writes at 2× when
 *   usage.cache_creation splits them), reads at cached_input.
 * - DeepSeek: prompt_cache_hit_tokens (kept on usage by the OpenAI-compatible
 *   adapter) when no cached_tokens detail is present.
 */
import type { Usage } from "../core/types.js";
import type { ModelPrice, PriceCatalogue, ResolvedPrice } from "./catalogue.js";

/** Usage as any endpoint reports it (embeddings have no completion side). */
export type UsageLike = Partial<Pick<Usage, "prompt_tokens" | "completion_tokens" | "total_tokens">> & {
  prompt_tokens_details?: Usage["prompt_tokens_details"] | null;
  completion_tokens_details?: Usage["completion_tokens_details"] | null;
  [extra: string]: unknown;
};

/** Billable token buckets; they add up to prompt + completion. */
export interface TokenSplit {
  /** Prompt tokens billed at the plain input price. */
  input_tokens: number;
  /** Cache hits, at cached_input. */
  cached_input_tokens: number;
  /** Cache writes (5-minute), at cache_write. */
  cache_write_tokens: number;
  /** 1-hour cache writes, at cache_write_1h. */
  cache_write_1h_tokens: number;
  /** All output, reasoning included. */
  output_tokens: number;
  /** The reasoning part of output_tokens (reported, not billed twice). */
  reasoning_tokens: number;
}

export interface Cost extends TokenSplit {
  usd: number;
  /** The prices used, and where they came from. */
  price: ResolvedPrice;
  /** True when the long-context tier applied. */
  long_context: boolean;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);
const has = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);

/** Splits canonical usage into billable buckets (see the header for each provider's shape). */
export function splitUsage(usage: UsageLike): TokenSplit {
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  // Every provider here counts reasoning inside completion; max() keeps an
  // upstream that reports it apart from being billed for less than it used.
  const output = Math.max(completion, reasoning);

  let cached = 0;
  let write = 0;
  let write1h = 0;
  let input: number;
  if (has(usage.cache_read_input_tokens) || has(usage.cache_creation_input_tokens)) {
    cached = count(usage.cache_read_input_tokens);
    const creation = count(usage.cache_creation_input_tokens);
    const split = usage.cache_creation as { ephemeral_1h_input_tokens?: unknown } | null | undefined;
    write1h = Math.min(creation, count(split?.ephemeral_1h_input_tokens));
    write = creation - write1h;
    // input_tokens is Anthropic's own uncached count; without it, take the rest of prompt_tokens.
    input = has(usage.input_tokens) ? count(usage.input_tokens) : Math.max(0, prompt - cached - creation);
  } else {
    const detail = usage.prompt_tokens_details?.cached_tokens;
    cached = has(detail) ? count(detail) : count(usage.prompt_cache_hit_tokens);
    // A count larger than the prompt cannot be part of it: bill both in full.
    input = cached > prompt ? prompt : prompt - cached;
  }
  return {
    input_tokens: input,
    cached_input_tokens: cached,
    cache_write_tokens: write,
    cache_write_1h_tokens: write1h,
    output_tokens: output,
    reasoning_tokens: reasoning,
  };
}

/** USD for a token split at given prices (per million tokens), rounded to 1e-10 to drop float noise. */
export function priceSplit(split: TokenSplit, price: ModelPrice): { usd: number; long_context: boolean } {
  const prompt = split.input_tokens + split.cached_input_tokens + split.cache_write_tokens + split.cache_write_1h_tokens;
  const tier = price.long_context && prompt > price.long_context.threshold ? price.long_context : undefined;
  const p = tier ?? price;
  const micro =
    split.input_tokens * p.input +
    split.cached_input_tokens * p.cached_input +
    split.cache_write_tokens * p.cache_write +
    split.cache_write_1h_tokens * p.cache_write_1h +
    split.output_tokens * p.output;
  return { usd: Math.round((micro / 1_000_000) * 1e10) / 1e10, long_context: tier !== undefined };
}

/**
 * The cost of one call, or undefined when the usage is missing or the model
 * has no price (the log row then keeps cost_usd null rather than a wrong 0).
 * `provider` is a hint for the lookup (see PriceCatalogue.lookup).
 */
export function costOf(usage: UsageLike | null | undefined, model: string, catalogue: PriceCatalogue, provider?: string): Cost | undefined {
  if (!usage) return undefined;
  const price = catalogue.lookup(model, provider);
  if (!price) return undefined;
  const split = splitUsage(usage);
  return { ...split, ...priceSplit(split, price), price };
}

/** Just the USD of costOf(), without building the breakdown (the engine prices every request). */
export function usdOf(usage: UsageLike | null | undefined, model: string, catalogue: PriceCatalogue, provider?: string): number | undefined {
  if (!usage) return undefined;
  const price = catalogue.lookup(model, provider);
  return price ? priceSplit(splitUsage(usage), price).usd : undefined;
}

/**
 * The x-liaison-cost-usd header value: plain decimal, never exponent form
 * (String(8.75e-7) is "8.75e-7", which header parsers reject as a price).
 */
export function formatUsd(usd: number): string {
  const fixed = usd.toFixed(10);
  // Trailing zeros, then a bare point, cut by hand: this runs for every answer's header.
  let end = fixed.length;
  while (end > 0 && fixed.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (end > 0 && fixed.charCodeAt(end - 1) === 46 /* . */) end--;
  const out = end === fixed.length ? fixed : fixed.slice(0, end);
  return out === "-0" ? "0" : out;
}

/**
 * An amount for people to read (error messages, the CLI): at least cents,
 * and every digit a small amount needs — a budget of $0.0001 must not read
 * "$0.00".
 */
export function formatDollars(usd: number): string {
  const plain = formatUsd(usd);
  const point = plain.indexOf(".");
  if (point === -1) return `${plain}.00`;
  return plain.length - point === 2 ? `${plain}0` : plain;
}
