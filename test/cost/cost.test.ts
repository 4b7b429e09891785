/**
 * Hand-computed costs for each provider's usage shape, fed through the real
 * adapters' usage mappers where one exists. Prices are the catalogue's
 * (USD per million tokens); each case spells out its arithmetic in µ$
 * (tokens × price), so a price change shows exactly which line moved.
 */
import { describe, expect, it } from "vitest";
import { costOf, loadCatalogue, splitUsage } from "../../src/cost/index.js";
import { canonicalUsage } from "../../src/providers/anthropic/response.js";
import { usageOf as bedrockUsage } from "../../src/providers/bedrock/response.js";
import { toUsage as geminiUsage } from "../../src/providers/gemini/response.js";
import { usageFrom as ollamaUsage } from "../../src/providers/ollama/response.js";

const catalogue = loadCatalogue();
const usd = (micro: number): number => micro / 1_000_000;

describe("OpenAI usage", () => {
  it("plain: prompt at input, completion at output", () => {
    const c = costOf({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }, "gpt-4o-2024-08-06", catalogue)!;
    // 1000 × 2.50 + 500 × 10.00
    expect(c.usd).toBeCloseTo(usd(2500 + 5000), 12);
    expect(c).toMatchObject({ input_tokens: 1000, cached_input_tokens: 0, output_tokens: 500, reasoning_tokens: 0 });
  });

  it("cached: cached_tokens at the cached price, the rest of the prompt at input", () => {
    const c = costOf({
      prompt_tokens: 2000, completion_tokens: 100, total_tokens: 2100,
      prompt_tokens_details: { cached_tokens: 1536, audio_tokens: 0 },
    }, "gpt-4o", catalogue)!;
    // 464 × 2.50 + 1536 × 1.25 + 100 × 10.00
    expect(c.usd).toBeCloseTo(usd(1160 + 1920 + 1000), 12);
    expect(c).toMatchObject({ input_tokens: 464, cached_input_tokens: 1536 });
  });

  it("reasoning: already inside completion_tokens, billed once as output", () => {
    const c = costOf({
      prompt_tokens: 100, completion_tokens: 1200, total_tokens: 1300,
      completion_tokens_details: { reasoning_tokens: 1000 },
    }, "o4-mini-2025-04-16", catalogue)!;
    // 100 × 1.10 + 1200 × 4.40
    expect(c.usd).toBeCloseTo(usd(110 + 5280), 12);
    expect(c).toMatchObject({ output_tokens: 1200, reasoning_tokens: 1000 });
  });

  it("cached and reasoning together (o3)", () => {
    const c = costOf({
      prompt_tokens: 10_000, completion_tokens: 3000, total_tokens: 13_000,
      prompt_tokens_details: { cached_tokens: 8000 }, completion_tokens_details: { reasoning_tokens: 2500 },
    }, "o3", catalogue)!;
    // 2000 × 2.00 + 8000 × 0.50 + 3000 × 8.00
    expect(c.usd).toBeCloseTo(usd(4000 + 4000 + 24_000), 12);
  });

  it("embeddings: prompt only", () => {
    const c = costOf({ prompt_tokens: 5000, total_tokens: 5000 }, "text-embedding-3-small", catalogue)!;
    expect(c.usd).toBeCloseTo(usd(5000 * 0.02), 12);
    expect(c.output_tokens).toBe(0);
  });
});

describe("Anthropic usage (through the adapter's canonicalUsage)", () => {
  it("cache read at cached_input, cache write at 1.25× input, uncached input, output", () => {
    const usage = canonicalUsage({ input_tokens: 50, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 2000, output_tokens: 300 });
    expect(usage.prompt_tokens).toBe(12_050);
    const c = costOf(usage, "claude-sonnet-4-5-20250929", catalogue)!;
    // 50 × 3.00 + 10000 × 0.30 + 2000 × 3.75 + 300 × 15.00
    expect(c.usd).toBeCloseTo(usd(150 + 3000 + 7500 + 4500), 12);
    expect(c).toMatchObject({ input_tokens: 50, cached_input_tokens: 10_000, cache_write_tokens: 2000, output_tokens: 300 });
  });

  it("1-hour cache writes at 2× input when cache_creation splits them", () => {
    const usage = canonicalUsage({
      input_tokens: 50, cache_read_input_tokens: 10_000, cache_creation_input_tokens: 2000, output_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 1000 },
    });
    const c = costOf(usage, "claude-sonnet-4-5", catalogue)!;
    // 50 × 3 + 10000 × 0.30 + 1000 × 3.75 + 1000 × 6.00 + 300 × 15
    expect(c.usd).toBeCloseTo(usd(150 + 3000 + 3750 + 6000 + 4500), 12);
    expect(c).toMatchObject({ cache_write_tokens: 1000, cache_write_1h_tokens: 1000 });
  });

  it("thinking is inside output_tokens: billed once", () => {
    const usage = canonicalUsage({ input_tokens: 200, output_tokens: 1000 });
    const c = costOf(usage, "claude-haiku-4-5-20251001", catalogue)!;
    // 200 × 1.00 + 1000 × 5.00
    expect(c.usd).toBeCloseTo(usd(200 + 5000), 12);
  });

  it("above 200k prompt tokens the long-context tier prices the whole request", () => {
    const usage = canonicalUsage({ input_tokens: 250_000, output_tokens: 1000 });
    const c = costOf(usage, "claude-sonnet-4-20250514", catalogue)!;
    // 250000 × 6.00 + 1000 × 22.50
    expect(c.usd).toBeCloseTo(usd(1_500_000 + 22_500), 12);
    expect(c.long_context).toBe(true);
  });
});

describe("Gemini usage (through the adapter's toUsage)", () => {
  it("thoughts are billed as output (the adapter adds them to completion)", () => {
    const usage = geminiUsage({ promptTokenCount: 1000, candidatesTokenCount: 200, thoughtsTokenCount: 800, totalTokenCount: 2000 });
    const c = costOf(usage, "models/gemini-2.5-pro", catalogue)!;
    // 1000 × 1.25 + (200 + 800) × 10.00
    expect(c.usd).toBeCloseTo(usd(1250 + 10_000), 12);
    expect(c).toMatchObject({ output_tokens: 1000, reasoning_tokens: 800 });
  });

  it("cached content at the cached price", () => {
    const usage = geminiUsage({ promptTokenCount: 10_000, cachedContentTokenCount: 8000, candidatesTokenCount: 100, totalTokenCount: 10_100 });
    const c = costOf(usage, "gemini-2.0-flash-001", catalogue)!;
    // 2000 × 0.10 + 8000 × 0.025 + 100 × 0.40
    expect(c.usd).toBeCloseTo(usd(200 + 200 + 40), 12);
  });

  it("long prompts (> 200k) use the higher tier", () => {
    const usage = geminiUsage({ promptTokenCount: 300_000, candidatesTokenCount: 100, totalTokenCount: 300_100 });
    const c = costOf(usage, "gemini-2.5-pro", catalogue)!;
    // 300000 × 2.50 + 100 × 15.00
    expect(c.usd).toBeCloseTo(usd(750_000 + 1500), 12);
  });
});

describe("Bedrock usage", () => {
  it("the adapter's shape (cacheRead → cached_tokens) on a cross-region Claude id", () => {
    // The numbers of src/providers/bedrock/fixtures/response-text.json.
    const usage = bedrockUsage({ cacheReadInputTokens: 1024, cacheWriteInputTokens: 0, inputTokens: 1036, outputTokens: 12, totalTokens: 1048 });
    const c = costOf(usage, "us.anthropic.claude-3-5-sonnet-20241022-v2:0", catalogue)!;
    // 12 × 3.00 + 1024 × 0.30 + 12 × 15.00
    expect(c.usd).toBeCloseTo(usd(36 + 307.2 + 180), 12);
    expect(c.price.entry?.provider).toBe("bedrock");
  });

  it("cache reads reported beside inputTokens (not inside it) are billed in full, not subtracted", () => {
    const usage = bedrockUsage({ cacheReadInputTokens: 1024, inputTokens: 12, outputTokens: 12, totalTokens: 1048 });
    const c = costOf(usage, "anthropic.claude-3-5-sonnet-20241022-v2:0", catalogue)!;
    expect(c.usd).toBeCloseTo(usd(36 + 307.2 + 180), 12);
  });

  it("Anthropic-style raw keys (cache writes included) when the adapter keeps them", () => {
    const c = costOf({
      prompt_tokens: 3100, completion_tokens: 50, total_tokens: 3150,
      input_tokens: 100, cache_read_input_tokens: 1000, cache_creation_input_tokens: 2000,
    }, "anthropic.claude-3-7-sonnet-20250219-v1:0", catalogue)!;
    // 100 × 3 + 1000 × 0.30 + 2000 × 3.75 + 50 × 15
    expect(c.usd).toBeCloseTo(usd(300 + 300 + 7500 + 750), 12);
  });

  it("a Claude id not listed for Bedrock falls back to Anthropic's price", () => {
    const c = costOf({ prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 }, "eu.anthropic.claude-3-opus-20240229-v1:0", catalogue)!;
    expect(c.usd).toBeCloseTo(usd(15_000 + 75_000), 12);
  });
});

describe("other shapes", () => {
  it("DeepSeek: prompt_cache_hit_tokens at the cache-hit price", () => {
    const c = costOf({
      prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100, prompt_cache_hit_tokens: 600, prompt_cache_miss_tokens: 400,
    }, "deepseek-chat", catalogue)!;
    // 400 × 0.28 + 600 × 0.028 + 100 × 0.42
    expect(c.usd).toBeCloseTo(usd(112 + 16.8 + 42), 12);
  });

  it("Groq-hosted Llama by provider prefix", () => {
    const c = costOf({ prompt_tokens: 1_000_000, completion_tokens: 1_000_000, total_tokens: 2_000_000 }, "groq/llama-3.3-70b-versatile", catalogue)!;
    expect(c.usd).toBeCloseTo(0.59 + 0.79, 12);
  });

  it("unknown models and missing usage give undefined, not 0", () => {
    expect(costOf(ollamaUsage({ prompt_eval_count: 10, eval_count: 5 }), "llama3.2", catalogue)).toBeUndefined();
    expect(costOf(undefined, "gpt-4o", catalogue)).toBeUndefined();
  });

  it("splitUsage buckets add up to prompt + completion", () => {
    const s = splitUsage(canonicalUsage({ input_tokens: 7, cache_read_input_tokens: 11, cache_creation_input_tokens: 13, output_tokens: 17 }));
    expect(s.input_tokens + s.cached_input_tokens + s.cache_write_tokens + s.cache_write_1h_tokens + s.output_tokens).toBe(48);
  });
});

describe("config overrides", () => {
  it("win over the catalogue; omitted cache prices keep the catalogue's ratio to input", () => {
    const cat = loadCatalogue({ overrides: { "gpt-4o": { input: 1, output: 2 } } });
    const c = costOf({
      prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000, prompt_tokens_details: { cached_tokens: 500 },
    }, "gpt-4o-2024-11-20", cat)!;
    // cached = 1.25 / 2.50 × 1 = 0.50 → 500 × 1 + 500 × 0.50 + 1000 × 2
    expect(c.usd).toBeCloseTo(usd(500 + 250 + 2000), 12);
    expect(c.price.from).toBe("override");
  });

  it("a provider/model key applies to that provider only", () => {
    const cat = loadCatalogue({ overrides: { "groq/llama-3.3-70b-versatile": { input: 0, output: 0 } } });
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 };
    expect(costOf(usage, "llama-3.3-70b-versatile", cat, "groq")!.usd).toBe(0);
    expect(costOf(usage, "llama-3.3-70b-versatile", cat, "other")!.usd).toBeCloseTo(0.59, 12);
  });

  it("prices models the catalogue does not know", () => {
    const cat = loadCatalogue({ overrides: { "llama3.2": { input: 0.1, output: 0.2, cached_input: 0.05 } } });
    const c = costOf({ prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 }, "llama3.2", cat)!;
    expect(c.usd).toBeCloseTo(usd(100 + 200), 12);
  });

  it("rejects a negative override", () => {
    expect(() => loadCatalogue({ overrides: { "gpt-4o": { input: -1, output: 1 } } })).toThrow(/gpt-4o/);
  });
});

describe("formatUsd", () => {
  it("writes plain decimals for the header", async () => {
    const { formatUsd } = await import("../../src/cost/index.js");
    expect(formatUsd(8.75e-7)).toBe("0.000000875");
    expect(formatUsd(0.0075)).toBe("0.0075");
    expect(formatUsd(0)).toBe("0");
    expect(formatUsd(12)).toBe("12");
  });

  it("agrees with trimming toFixed(10) by regular expressions on edge and random values", async () => {
    const { formatUsd } = await import("../../src/cost/index.js");
    const byRegex = (usd: number): string => {
      const fixed = usd.toFixed(10).replace(/0+$/, "").replace(/\.$/, "");
      return fixed === "-0" ? "0" : fixed;
    };
    const values = [0, -0, 1, 10, 100, 0.1, 1e-10, 4e-11, 6e-11, -1e-12, -0.5, 1e20, 1e21, 123456.789, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 5000; i++) values.push(Math.random() * 10 ** (Math.floor(Math.random() * 12) - 10));
    for (const v of values) expect(formatUsd(v), String(v)).toBe(byRegex(v));
  });
});

describe("Bedrock cache writes", () => {
  it("are billed at the cache-write price, whether reported beside inputTokens or inside it", () => {
    // AWS's own example shape: cache counts beside inputTokens, totalTokens = all of them.
    const beside = bedrockUsage({ inputTokens: 25, cacheReadInputTokens: 0, cacheWriteInputTokens: 1121, outputTokens: 200, totalTokens: 1346 });
    // The same request with the cache counts inside inputTokens.
    const inside = bedrockUsage({ inputTokens: 1146, cacheReadInputTokens: 0, cacheWriteInputTokens: 1121, outputTokens: 200, totalTokens: 1346 });
    for (const usage of [beside, inside]) {
      expect(usage).toMatchObject({ prompt_tokens: 1146, input_tokens: 25, cache_creation_input_tokens: 1121 });
      const c = costOf(usage, "anthropic.claude-3-5-sonnet-20241022-v2:0", catalogue)!;
      // 25 × 3.00 + 1121 × 3.75 (1.25× input) + 200 × 15.00
      expect(c.usd).toBeCloseTo(usd(75 + 4203.75 + 3000), 12);
    }
  });
});
