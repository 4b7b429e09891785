import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfigText, resolveConfig, validateConfig } from "../../src/config/load.js";
import { interpolate } from "../../src/config/interpolate.js";

const dir = mkdtempSync(join(tmpdir(), "liaison-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = new URL("../../bin/liaison.js", import.meta.url).pathname;

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("environment interpolation", () => {
  const env = { KEY: "sk-123", EMPTY: "", PORT: "8080" };
  it("replaces ${VAR} and ${VAR:-default} inside strings", () => {
    expect(interpolate({ a: "Bearer ${KEY}", b: "${MISSING:-fallback}", c: "x${EMPTY:-d}y", d: "${PORT}" }, env))
      .toEqual({ a: "Bearer sk-123", b: "fallback", c: "xdy", d: "8080" });
  });
  it("drops a key whose whole value is an unset variable, so optional settings stay unset", () => {
    expect(interpolate({ admin_key: "${LIAISON_ADMIN_KEY}", nested: [{ k: "${EMPTY}" }] }, env)).toEqual({ nested: [{}] });
  });
  it("never lets a value change the document's structure", () => {
    const cfg = parseConfigText("admin_key: ${EVIL}\n", "t.yaml", { EVIL: "x\nstorage: { url: 'memory:' }" });
    expect(cfg.admin_key).toBe("x\nstorage: { url: 'memory:' }");
    expect(cfg.storage.url).toBe("sqlite://./liaison.db");
  });
});

describe("validation errors name the file, the key path and the problem", () => {
  it("reports unknown keys, wrong types and bad references together", () => {
    const issues = problemsOf(() => parseConfigText([
      "server: { port: 'eighty', hots: x }",
      "providers:",
      "  openai: { type: openai, base_url: 'not a url' }",
      "  weird: { type: nosuch }",
      "models:",
      "  smart: { targets: [ { provider: openai, model: gpt-4o }, { provider: ghost, model: m } ] }",
    ].join("\n"), "my.yaml"));
    const text = issues.join("\n");
    expect(text).toMatch(/server\.port: .*number/i);
    expect(text).toMatch(/server: unknown key 'hots'/);
    expect(text).toMatch(/providers\.openai\.base_url: must be an http\(s\) URL/);
    expect(text).toMatch(/providers\.weird\.type/);
  });

  it("checks references between sections once the shapes are right", () => {
    const issues = problemsOf(() => validateConfig({
      providers: { openai: { type: "openai" } },
      models: { smart: { targets: [{ provider: "ghost", model: "m" }] } },
    }));
    expect(issues).toEqual([expect.stringMatching(/models\.smart\.targets\[0\]\.provider: unknown provider 'ghost' \(configured: openai, mock\)/)]);
  });

  it("rejects alias loops and aliases that shadow a model", () => {
    const issues = problemsOf(() => validateConfig({
      providers: { a: { type: "mock" } },
      models: { m: { targets: [{ provider: "a", model: "x" }] } },
      aliases: { one: "two", two: "one", m: "a/x" },
    }));
    expect(issues.join("\n")).toMatch(/aliases\.one: the aliases form a loop \(one → two → one\)/);
    expect(issues.join("\n")).toMatch(/aliases\.m: the name is already a model/);
  });

  it("reports YAML syntax errors", () => {
    expect(problemsOf(() => parseConfigText("providers: [unclosed", "bad.yaml"))[0]).toMatch(/^YAML:/);
  });

  it("the error message starts with the source name", () => {
    try {
      parseConfigText("server: { port: -1 }", "prod.yaml");
    } catch (err) {
      expect((err as Error).message).toMatch(/^prod\.yaml: invalid configuration\n {2}- server\.port/);
    }
  });
});

describe("defaults and zero-config", () => {
  it("fills every default and always adds the mock provider", () => {
    const cfg = validateConfig({});
    expect(cfg.server).toMatchObject({ host: "127.0.0.1", port: 4000, body_limit_mb: 20 });
    expect(cfg.storage.url).toBe("sqlite://./liaison.db");
    expect(cfg.logging).toMatchObject({ bodies: false, requests: true });
    expect(cfg.providers.mock?.type).toBe("mock");
  });

  it("zero-config picks providers from the usual environment variables", () => {
    const { config, source } = resolveConfig(undefined, { OPENAI_API_KEY: "sk-o", GROQ_API_KEY: "gq", AZURE_OPENAI_API_KEY: "az", AZURE_OPENAI_ENDPOINT: "https://x.openai.azure.com" });
    expect(source).toBe("zero-config");
    expect(Object.keys(config.providers).sort()).toEqual(["azure", "groq", "mock", "openai"]);
    expect(config.providers.openai).toMatchObject({ type: "openai", api_key: "sk-o" });
    expect(config.admin_key).toBeUndefined();
    expect(config.routing.default_provider).toBeUndefined();
  });

  it("zero-config sends names nothing else claims to the local Ollama, when OLLAMA_BASE_URL is set", () => {
    const { config } = resolveConfig(undefined, { OLLAMA_BASE_URL: "http://127.0.0.1:11434" });
    expect(config.routing.default_provider).toBe("ollama");
  });
});

describe("liaison config check", () => {
  it("exits 0 and summarises a valid file", () => {
    const file = join(dir, "ok.yaml");
    writeFileSync(file, "providers:\n  up: { type: openai, api_key: '${UP_KEY:-none}' }\nmodels:\n  smart: { targets: [ { provider: up, model: gpt-4o } ] }\n");
    const r = spawnSync(process.execPath, [BIN, "config", "check", file], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${file}: ok (2 providers, 1 model)\n`);
  });

  it("exits non-zero naming the file, the key path and the problem", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "storage: { url: 'mysql://x' }\n");
    const r = spawnSync(process.execPath, [BIN, "config", "check", file], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: invalid configuration`);
    expect(r.stderr).toMatch(/storage\.url: must start with sqlite:/);
  });

  it("serve refuses to start half-configured", () => {
    const file = join(dir, "bad-serve.yaml");
    writeFileSync(file, "models:\n  m: { targets: [ { provider: nope, model: x } ] }\n");
    const r = spawnSync(process.execPath, [BIN, "serve", "--config", file, "--port", "0"], { encoding: "utf8", timeout: 10_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain("listening");
    expect(r.stderr).toMatch(/models\.m\.targets\[0\]\.provider: unknown provider 'nope'/);
  });

  it("a missing file is a clear error", () => {
    const r = spawnSync(process.execPath, [BIN, "config", "check", join(dir, "nope.yaml")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nope\.yaml: invalid configuration\n\s+- cannot read the file/);
  });
});
