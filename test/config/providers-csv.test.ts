/**
 * The provider list in CSV (DESIGN.md §7), as text → what the YAML would
 * say: the seed's own rows, each column's mapping, the CSV grammar, and a
 * bad row named by its line and its column's header name.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseCsv } from "../../src/config/providers-csv/csv-records.js";
import { parseProvidersCsv, providersCsvYaml, ProvidersCsvError } from "../../src/config/providers-csv.js";

const HEADER = "provider_name,primary_url,secondary_url,api_key_env,timeout,max_requests_per_minute,cost_per_1k_tokens,priority";
// The seed's rows (seed 000): provider names that are provider types, origins without a path.
const SEED = [
  HEADER,
  "openai,https://api.openai.com,https://api.openai.com,OPENAI_API_KEY,30,3500,0.002,1",
  "anthropic,https://api.anthropic.com,,ANTHROPIC_API_KEY,60,1000,0.003,2",
].join("\n");

function issuesOf(text: string): string[] {
  try {
    parseProvidersCsv(text, "providers.csv");
  } catch (err) {
    expect(err).toBeInstanceOf(ProvidersCsvError);
    expect((err as Error).message).toMatch(/^providers\.csv: invalid provider list\n/);
    return (err as ProvidersCsvError).issues;
  }
  throw new Error("expected a ProvidersCsvError");
}

describe("the seed's rows", () => {
  const { fragment, lines } = parseProvidersCsv(SEED, "providers.csv");

  it("load, the name giving the type and a bare origin the type's usual path", () => {
    expect(fragment.providers.openai).toEqual({ type: "openai", base_url: "https://api.openai.com/v1", api_key: "${OPENAI_API_KEY}", timeouts: { total_ms: 30_000 } });
    // Anthropic's base_url is the origin: its adapter appends /v1/messages.
    expect(fragment.providers.anthropic).toEqual({ type: "anthropic", base_url: "https://api.anthropic.com", api_key: "${ANTHROPIC_API_KEY}", timeouts: { total_ms: 60_000 } });
    expect(lines).toEqual({ openai: 2, "openai-secondary": 2, anthropic: 3 });
  });

  it("make the secondary URL a provider that direct addressing falls back to", () => {
    expect(fragment.providers["openai-secondary"]).toMatchObject({ type: "openai", base_url: "https://api.openai.com/v1" });
    expect(fragment.routing.providers).toEqual({
      openai: { fallbacks: ["openai-secondary"], priority: 1, rpm: 3500 },
      "openai-secondary": { priority: 1, rpm: 3500 },
      anthropic: { priority: 2, rpm: 1000 },
    });
  });

  it("price every model of the provider at cost_per_1k_tokens (in the catalogue's USD per million)", () => {
    expect(fragment.prices.models).toEqual({
      "openai/*": { input: 2, output: 2 },
      "openai-secondary/*": { input: 2, output: 2 },
      "anthropic/*": { input: 3, output: 3 },
    });
  });

  it("print as YAML that parses back to the same blocks, keys as ${VAR}", () => {
    const yaml = providersCsvYaml(parseProvidersCsv(SEED, "providers.csv"), "providers.csv");
    expect(yaml).toMatch(/^# From providers\.csv/);
    expect(yaml).toContain("api_key: ${OPENAI_API_KEY}");
    expect(parse(yaml)).toEqual(fragment);
  });
});

describe("columns", () => {
  const one = (row: string, header = HEADER) => parseProvidersCsv(`${header}\n${row}\n`, "p.csv").fragment;

  it("type and models: an OpenAI-compatible server of any name, with the models it lists", () => {
    const f = one("local,http://10.0.0.5:8000,,,,,,,openai,llama3.2;qwen2.5 mistral", `${HEADER},type,models`);
    expect(f.providers.local).toEqual({ type: "openai", base_url: "http://10.0.0.5:8000/v1", models: ["llama3.2", "qwen2.5", "mistral"] });
    expect(f.routing.providers).toEqual({});
    expect(f.prices.models).toEqual({});
  });

  it("a preset's own path (groq's /openai/v1); a URL with a path is kept as given", () => {
    expect(one("groq,https://api.groq.com,,,,,,").providers.groq!.base_url).toBe("https://api.groq.com/openai/v1");
    expect(one("openai,https://proxy.example.com/openai/v1/,,,,,,").providers.openai!.base_url).toBe("https://proxy.example.com/openai/v1");
    expect(one("ollama,http://127.0.0.1:11434,,,,,,").providers.ollama).toEqual({ type: "ollama", base_url: "http://127.0.0.1:11434" });
  });

  it("columns in any order and case, empty cells absent, units and ${VAR} forms accepted", () => {
    const f = one("0.0015,OpenAI,30s,$OPENAI_KEY,https://api.openai.com", "COST_PER_1K_TOKENS,provider_name,timeout,api_key_env,primary_url");
    expect(f.providers.OpenAI).toEqual({ type: "openai", base_url: "https://api.openai.com/v1", api_key: "${OPENAI_KEY}", timeouts: { total_ms: 30_000 } });
    expect(f.prices.models["OpenAI/*"]).toEqual({ input: 1.5, output: 1.5 });
    expect(one("openai,https://api.openai.com,,${K},0.5,,$0.01,-1").providers.openai).toMatchObject({ api_key: "${K}", timeouts: { total_ms: 500 } });
  });
});

describe("a bad row names the line and the column by its header name", () => {
  it.each([
    ["openai,https://api.openai.com,,,abc,,,", "column timeout: must be a number of seconds greater than 0 (got \"abc\")"],
    ["openai,https://api.openai.com,,,0,,,", "column timeout: must be a number of seconds greater than 0"],
    ["openai,api.openai.com,,,,,,", "column primary_url: must be an http(s) URL (got \"api.openai.com\")"],
    ["openai,https://api.openai.com,ftp://b,,,,,", "column secondary_url: must be an http(s) URL"],
    ["openai,,,,,,,", "column primary_url: is empty"],
    [",https://x.example.com,,,,,,", "column provider_name: is empty"],
    ["open ai,https://x.example.com,,,,,,", "column provider_name: may use letters, digits, _ . - only"],
    ["acme,https://x.example.com,,,,,,", "column provider_name: \"acme\" is not a provider type, so the row needs a type column"],
    ["openai,https://api.openai.com,,OPENAI-KEY,,,,", "column api_key_env: must name an environment variable"],
    ["openai,https://api.openai.com,,,,1.5,,", "column max_requests_per_minute: must be a whole number of requests greater than 0 (got \"1.5\")"],
    ["openai,https://api.openai.com,,,,0,,", "column max_requests_per_minute: must be a whole number"],
    ["openai,https://api.openai.com,,,,,cheap,", "column cost_per_1k_tokens: must be a price in USD, such as 0.002 (got \"cheap\")"],
    ["openai,https://api.openai.com,,,,,,first", "column priority: must be a whole number (lower is tried first)"],
    ["openai,https://api.openai.com,,,,,,,,", "line 2: 10 cells but the header names 8 columns"],
  ])("%s", (row, expected) => {
    const issues = issuesOf(`${HEADER}\n${row}\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
    expect(issues[0]).toMatch(/^line 2[,:]/);
  });

  it("the type column: unknown types, and types not reached by URL", () => {
    expect(issuesOf(`${HEADER},type\nx,https://a.example.com,,,,,,,cohere\n`)[0]).toMatch(/^line 2, column type: unknown provider type "cohere" \(types: openai, groq/);
    expect(issuesOf(`${HEADER},type\nx,https://a.example.com,,,,,,,mock\n`)[0]).toBe("line 2, column type: type mock is reached without a URL; configure it under providers: in the YAML instead");
    expect(issuesOf(`${HEADER},type\nacme,https://a.example.com,,,,,,\n`)[0]).toMatch(/column type: "acme" is not a provider type, so the row needs a type \(openai/);
  });

  it("every bad row is reported, with the line it is on (blank and comment lines counted)", () => {
    const text = `${HEADER}\n# our providers\nopenai,https://api.openai.com,,,x,,,\n\nanthropic,https://api.anthropic.com,,,,,,y\n`;
    expect(issuesOf(text)).toEqual([
      "line 3, column timeout: must be a number of seconds greater than 0 (got \"x\")",
      "line 5, column priority: must be a whole number (lower is tried first) (got \"y\")",
    ]);
  });

  it("a provider defined twice, directly or through a secondary URL", () => {
    expect(issuesOf(`${HEADER}\nopenai,https://a.example.com,,,,,,\nopenai,https://b.example.com,,,,,,\n`))
      .toEqual(["line 3, column provider_name: provider openai is already defined on line 2"]);
    expect(issuesOf(`${HEADER},type\nopenai-secondary,https://a.example.com,,,,,,,openai\nopenai,https://b.example.com,https://c.example.com,,,,,\n`))
      .toEqual(["line 3, column provider_name: provider openai-secondary is already defined on line 2 (a secondary_url makes openai-secondary)"]);
  });

  it("the header: unknown or repeated columns, the required ones missing, an empty file", () => {
    expect(issuesOf("provider_name,primary_url,timout\n")).toEqual([
      "line 1, column 3: unknown column \"timout\" (columns: provider_name, primary_url, secondary_url, api_key_env, timeout, max_requests_per_minute, cost_per_1k_tokens, priority, type, models)",
    ]);
    expect(issuesOf("provider_name,timeout,timeout\n")).toEqual([
      "line 1: column timeout appears twice",
      `line 1: missing column primary_url (the header is ${HEADER})`,
    ]);
    expect(issuesOf("")[0]).toMatch(/^the file is empty; its first line is the header: provider_name,primary_url,/);
  });

  it("a quoted cell never closed", () => {
    expect(issuesOf(`${HEADER}\nopenai,"https://api.openai.com,,,,,,\n`)).toEqual(["line 2: a quoted cell is never closed (a missing \")"]);
  });
});

describe("the CSV grammar (RFC 4180)", () => {
  it("quotes, doubled quotes, commas and line breaks inside quotes, CRLF, a byte-order mark", () => {
    const text = "\uFEFFa,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n";
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ["a", "b", "c"] },
      { line: 2, cells: ["x,1", "say \"hi\"", "two\nlines"] },
      { line: 4, cells: ["last", "", ""] },
    ]);
  });

  it("no final line break; blank and # lines skipped", () => {
    expect(parseCsv("# comment\n\na,b\n\n1,2")).toEqual([{ line: 3, cells: ["a", "b"] }, { line: 5, cells: ["1", "2"] }]);
  });

  it("text after a closing quote is an error at its line and cell", () => {
    expect(() => parseCsv("a,b\n1,\"2\"x\n")).toThrow(/text after a quoted cell's closing quote/);
  });

  it("quoted models with commas", () => {
    const f = parseProvidersCsv(`${HEADER},models\nopenai,https://api.openai.com,,,,,,,"gpt-4o,gpt-4o-mini"\n`, "p.csv").fragment;
    expect(f.providers.openai!.models).toEqual(["gpt-4o", "gpt-4o-mini"]);
  });
});
