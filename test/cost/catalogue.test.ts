import { describe, expect, it } from "vitest";
import bundled from "../../src/cost/catalogue.json" with { type: "json" };
import { candidateIds, catalogueSchema, loadCatalogue } from "../../src/cost/index.js";

const catalogue = loadCatalogue();

describe("the bundled catalogue", () => {
  it("validates, and every entry has a source URL, a date and non-negative prices", () => {
    const doc = catalogueSchema.parse(bundled);
    expect(doc.models.length).toBeGreaterThan(50);
    for (const e of doc.models) {
      expect(e.source, e.model).toMatch(/^https:\/\//);
      expect(e.date, e.model).toMatch(/^20\d\d-\d\d-\d\d$/);
      for (const p of [e.input, e.output, e.cached_input ?? 0, e.cache_write ?? 0, e.cache_write_1h ?? 0]) expect(p, e.model).toBeGreaterThanOrEqual(0);
      // A cache hit never costs more than plain input.
      if (e.cached_input !== undefined) expect(e.cached_input, e.model).toBeLessThanOrEqual(e.input);
    }
  });

  it("covers every provider family the issue names", () => {
    const providers = new Set(catalogue.entries.map((e) => e.provider));
    for (const p of ["openai", "anthropic", "google", "mistral", "groq", "deepseek", "bedrock"]) expect(providers).toContain(p);
  });

  it("Anthropic entries bill cache writes at 1.25× input and reads at 0.1×", () => {
    for (const e of catalogue.entries.filter((x) => x.provider === "anthropic")) {
      expect(e.cache_write, e.model).toBeCloseTo(e.input * 1.25, 10);
      expect(e.cached_input, e.model).toBeCloseTo(e.input * 0.1, 10);
    }
  });

  it("rejects entries without source or date, with negative prices or with duplicate ids", () => {
    const good = { provider: "x", model: "m", input: 1, output: 2, source: "https://example.com/pricing", date: "2025-01-01" };
    const doc = (entry: object) => ({ version: 1, models: [entry] });
    expect(() => loadCatalogue({ data: doc(good) })).not.toThrow();
    const { source: _s, ...noSource } = good;
    expect(() => loadCatalogue({ data: doc(noSource) })).toThrow(/models\.0\.source/);
    const { date: _d, ...noDate } = good;
    expect(() => loadCatalogue({ data: doc(noDate) })).toThrow(/models\.0\.date/);
    expect(() => loadCatalogue({ data: doc({ ...good, date: "2025-13-40" }) })).toThrow(/date/);
    expect(() => loadCatalogue({ data: doc({ ...good, output: -1 }) })).toThrow(/models\.0\.output/);
    expect(() => loadCatalogue({ data: { version: 1, models: [good, { ...good, aliases: [] }] } })).toThrow(/twice/);
  });
});

describe("lookup normalisation", () => {
  const cases: [string, string, string?][] = [
    ["gpt-4o", "gpt-4o"],
    ["GPT-4o", "gpt-4o"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["gpt-4o-2024-05-13", "gpt-4o-2024-05-13"],
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["openai/gpt-4.1-mini", "gpt-4.1-mini"],
    ["o1-preview", "o1"],
    ["gpt-35-turbo", "gpt-35-turbo"],
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
    ["claude-3-5-sonnet-latest", "claude-3-5-sonnet"],
    ["claude-sonnet-4-0", "claude-sonnet-4-0"],
    ["anthropic/claude-opus-4-1", "claude-opus-4-1"],
    ["claude-sonnet-4-5@20250929", "claude-sonnet-4-5"],
    ["us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"],
    ["apac.anthropic.claude-3-opus-20240229-v1:0", "claude-3-opus", "anthropic"],
    ["us.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0", "bedrock"],
    ["models/gemini-2.5-flash", "gemini-2.5-flash"],
    ["gemini-2.0-flash-001", "gemini-2.0-flash"],
    ["gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"],
    ["gemini-2.5-flash-lite-preview-09-2025", "gemini-2.5-flash-lite"],
    ["mistral-large-latest", "mistral-large"],
    ["mistral-large-2411", "mistral-large-2411", "mistral"],
    ["groq/llama-3.3-70b-versatile", "llama-3.3-70b-versatile", "groq"],
    ["meta-llama/llama-4-scout-17b-16e-instruct", "meta-llama/llama-4-scout-17b-16e-instruct", "groq"],
    ["deepseek-reasoner", "deepseek-reasoner", "deepseek"],
  ];
  it.each(cases)("%s → %s", (model, matched, provider) => {
    const p = catalogue.lookup(model);
    expect(p?.matched).toBe(matched);
    if (provider) expect(p?.entry?.provider).toBe(provider);
  });

  it("does not guess for unknown models", () => {
    for (const m of ["llama3.2", "gpt-4o-audio-preview", "mock/echo", "my-deployment", "mistral-large-2407"]) expect(catalogue.lookup(m), m).toBeUndefined();
  });

  it("tries specific forms before loose ones", () => {
    expect(candidateIds("us.anthropic.claude-3-5-sonnet-20241022-v2:0")).toEqual([
      "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
      "anthropic.claude-3-5-sonnet-20241022-v2:0",
      "anthropic.claude-3-5-sonnet-20241022",
      "claude-3-5-sonnet-20241022",
      "claude-3-5-sonnet",
    ]);
    expect(candidateIds("openai/gpt-4o-2024-08-06")).toEqual(["openai/gpt-4o-2024-08-06", "openai/gpt-4o", "gpt-4o-2024-08-06", "gpt-4o"]);
  });

  it("a more specific catalogue id beats a looser override", () => {
    const cat = loadCatalogue({ overrides: { "gpt-4o": { input: 1, output: 1 } } });
    expect(cat.lookup("gpt-4o-2024-05-13")?.from).toBe("catalogue");
    expect(cat.lookup("gpt-4o-2024-08-06")?.from).toBe("override");
  });
});
