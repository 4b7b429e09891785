/**
 * LiteLLM's model_prices_and_context_window.json → our catalogue, and a
 * price file laid over the shipped catalogue (prices.file).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  costOf, formatPriceDocument, fromLiteLLM, isLiteLLMPrices, LITELLM_PRICES_URL, loadPrices, overlay, parsePriceDocument, readPriceFile,
  shippedEntries,
} from "../../src/cost/index.js";

const FIXTURE = new URL("./fixtures/litellm-prices.json", import.meta.url).pathname;
const litellm = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), "liaison-prices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fromLiteLLM", () => {
  const { models, skipped } = fromLiteLLM(litellm, { date: "2026-12-01" });
  const find = (provider: string, model: string) => models.find((m) => m.provider === provider && m.model === model);

  it("takes the token-priced chat and embedding models, and leaves out the spec, images and audio", () => {
    expect(models).toHaveLength(9);
    expect(skipped).toBe(3); // sample_spec, dall-e-3, whisper-1
    expect(isLiteLLMPrices(litellm)).toBe(true);
    expect(isLiteLLMPrices({ version: 1, models: [] })).toBe(false);
  });

  it("converts USD per token to USD per million, without float noise", () => {
    expect(find("openai", "gpt-4o")).toMatchObject({ input: 2.5, output: 10, cached_input: 1.25, kind: "chat", date: "2026-12-01" });
    expect(find("openai", "gpt-4o-mini")).toMatchObject({ input: 0.15, output: 0.6, cached_input: 0.075 });
    expect(find("openai", "text-embedding-3-small")).toMatchObject({ input: 0.02, output: 0, kind: "embedding" });
    expect(find("deepseek", "deepseek-chat")).toMatchObject({ input: 0.27, output: 1.1, cached_input: 0.07 });
  });

  it("keeps Anthropic's cache writes (5-minute and 1-hour) and the long-context tier", () => {
    expect(find("anthropic", "claude-sonnet-4-5")).toMatchObject({
      input: 3, output: 15, cached_input: 0.3, cache_write: 3.75, cache_write_1h: 6,
      long_context: { threshold: 200_000, input: 6, output: 22.5, cached_input: 0.6, cache_write: 7.5 },
    });
  });

  it("drops the seller's prefix from the key and names sellers as the catalogue does", () => {
    expect(find("google", "gemini-2.5-pro")).toMatchObject({ input: 1.25, output: 10, long_context: { threshold: 200_000, input: 2.5, output: 15 } });
    expect(find("groq", "llama-3.3-70b-versatile")).toMatchObject({ input: 0.59, output: 0.79 });
    expect(find("azure", "gpt-4o")).toMatchObject({ input: 2.75, output: 11 });
    expect(find("bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0")).toMatchObject({ input: 0.8, cache_write: 1 });
  });

  it("cites the entry's own page when it names one, else LiteLLM's file; marks every entry unverified", () => {
    expect(find("google", "gemini-2.5-pro")!.source).toBe("https://ai.google.dev/gemini-api/docs/pricing");
    expect(find("openai", "gpt-4o")!.source).toBe(LITELLM_PRICES_URL);
    expect(fromLiteLLM(litellm, { date: "2026-12-01", source: "https://example.com/prices" }).models[0]!.source).toBe("https://example.com/prices");
    expect(models.every((m) => m.verified === false)).toBe(true);
  });

  it("takes numbers written as strings, falls back from a source that is not a URL, and leaves out negative prices", () => {
    const odd = fromLiteLLM({
      "as-strings": { litellm_provider: "openai", mode: "chat", input_cost_per_token: "1e-06", output_cost_per_token: "2e-06" },
      "odd-source": { litellm_provider: "openai", input_cost_per_token: 1e-6, output_cost_per_token: 1e-6, source: "see the pricing page" },
      negative: { litellm_provider: "openai", mode: "chat", input_cost_per_token: -1e-6, output_cost_per_token: 1e-6 },
      "no-output": { litellm_provider: "openai", mode: "chat", input_cost_per_token: 1e-6 },
    }, { date: "2026-12-01" });
    expect(odd.models.map((m) => [m.model, m.input, m.output, m.source])).toEqual([
      ["as-strings", 1, 2, LITELLM_PRICES_URL],
      ["odd-source", 1, 1, LITELLM_PRICES_URL],
    ]);
    expect(odd.skipped).toBe(2);
  });

  it("lists the maker's own entry before a reseller's, so an unhinted lookup finds the maker's price", () => {
    const gpt4o = models.filter((m) => m.model === "gpt-4o").map((m) => m.provider);
    expect(gpt4o).toEqual(["openai", "azure"]);
  });
});

describe("price files", () => {
  it("reads LiteLLM's file (converted, dated) and our own format alike", () => {
    const doc = readPriceFile(FIXTURE, { date: "2026-12-01" });
    expect(doc.converted).toEqual({ from: "litellm", skipped: 3 });
    const ours = join(dir, "ours.json");
    writeFileSync(ours, formatPriceDocument(doc, "test"));
    const again = readPriceFile(ours);
    expect(again.converted).toBeUndefined();
    expect(again.models).toEqual(doc.models);
    // One entry per line, defaults left out.
    const text = readFileSync(ours, "utf8");
    expect(text.split("\n").filter((l) => l.startsWith("  {"))).toHaveLength(9);
    expect(text).not.toContain('"aliases":[]');
  });

  it("refuses what is neither format, and bad entries, naming the file and the path", () => {
    expect(() => parsePriceDocument({ hello: "world" }, "x.json")).toThrow(/x\.json: not a price file/);
    expect(() => parsePriceDocument({ version: 1, models: [{ provider: "p", model: "m", input: -1, output: 1, source: "https://x.y", date: "2026-01-01" }] }, "y.json"))
      .toThrow(/y\.json: invalid price file at models\.0\.input/);
    expect(() => readPriceFile(join(dir, "missing.json"))).toThrow(/missing\.json: cannot read/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    expect(() => readPriceFile(bad)).toThrow(/bad\.json: not valid JSON/);
  });

  it("overlay: the file's entries first; a shipped entry the file lists for the same provider is replaced, others stay", () => {
    const shipped = shippedEntries();
    const file = readPriceFile(FIXTURE, { date: "2026-12-01" }).models;
    const merged = overlay(shipped, file);
    expect(merged.slice(0, file.length)).toEqual(file);
    expect(merged.filter((e) => e.provider === "openai" && e.model === "gpt-4o")).toHaveLength(1);
    // Shipped models the file does not mention are still there.
    expect(merged.some((e) => e.provider === "openai" && e.model === "gpt-4.1")).toBe(true);
  });

  it("loadPrices: prices.file over the shipped catalogue, config overrides over both", () => {
    const file = join(dir, "prices.json");
    writeFileSync(file, formatPriceDocument({ version: 1, models: [
      { provider: "openai", model: "gpt-4o", aliases: [], kind: "chat", input: 3, output: 12, source: "https://example.com/p", date: "2026-12-01", verified: true },
    ] }, "test"));
    const catalogue = loadPrices({ file, models: { "gpt-4o-mini": { input: 1, output: 1 } } });
    expect(catalogue.lookup("gpt-4o-2024-08-06")).toMatchObject({ input: 3, output: 12, from: "catalogue", entry: { date: "2026-12-01" } });
    expect(catalogue.lookup("gpt-4.1")).toMatchObject({ input: 2, output: 8 }); // shipped
    expect(catalogue.lookup("gpt-4o-mini")).toMatchObject({ input: 1, output: 1, from: "override" });
    const cost = costOf({ prompt_tokens: 1_000_000, completion_tokens: 1_000_000 }, "gpt-4o", catalogue);
    expect(cost?.usd).toBe(15);
  });

  it("loadPrices: LiteLLM's file works as prices.file directly; a bad file names prices.file", () => {
    const catalogue = loadPrices({ file: FIXTURE, models: {} });
    expect(catalogue.lookup("gemini-2.5-pro", "gemini")).toMatchObject({ input: 1.25, from: "catalogue" });
    expect(catalogue.lookup("gpt-4o", "azure")).toMatchObject({ input: 2.75 });
    expect(() => loadPrices({ file: join(dir, "nope.json"), models: {} })).toThrow(/^prices\.file: .*nope\.json: cannot read/);
  });
});
