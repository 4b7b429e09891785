import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { Router } from "../../src/engine/router.js";
import { createProvider, DEFAULT_TIMEOUTS } from "../../src/providers/registry.js";
import type { ProviderAdapter } from "../../src/providers/types.js";

async function routerFor(input: Parameters<typeof validateConfig>[0]): Promise<Router> {
  const config = validateConfig(input);
  const providers = new Map<string, ProviderAdapter>();
  for (const [name, pc] of Object.entries(config.providers)) providers.set(name, await createProvider(name, pc, DEFAULT_TIMEOUTS));
  return new Router(config, providers);
}

const router = await routerFor({
    providers: { openai: { type: "openai", api_key: "k" }, ollama: { type: "vllm" }, a: { type: "mock" }, b: { type: "mock" } },
    models: {
      split: { targets: [{ provider: "a", model: "echo", weight: 1 }, { provider: "b", model: "echo", weight: 3 }] },
      rr: { strategy: "round-robin", targets: [{ provider: "a", model: "x" }, { provider: "b", model: "y" }] },
    },
    aliases: { fast: "a/echo", quick: "fast", best: "split" },
    // The catch-all is explicit: zero-config sets it when OLLAMA_BASE_URL is set.
    routing: { default_provider: "ollama" },
});

describe("Router", () => {

  it("follows aliases to provider/model and to configured models, and lists them", async () => {
    expect(router.resolve("quick").targets[0]).toMatchObject({ model: "echo" });
    expect(router.resolve("quick").targets[0]!.provider.name).toBe("a");
    expect(router.resolve("best").targets).toHaveLength(2);
    const typo = await routerFor({ aliases: { typo: "nobody/x" } });
    expect(() => typo.resolve("typo")).toThrow(/'typo' \(an alias of 'nobody\/x'\) does not exist/);
  });

  it("without routing.default_provider an unknown model is a 404, even with a provider named ollama", async () => {
    const plain = await routerFor({ providers: { ollama: { type: "ollama" } } });
    expect(() => plain.resolve("llama3.2")).toThrow(/'llama3.2' does not exist/);
    expect(plain.resolve("ollama/llama3.2").targets[0]!.provider.name).toBe("ollama");
    expect(() => validateConfig({ providers: { a: { type: "mock" } }, routing: { default_provider: "nope" } })).toThrow(/routing.default_provider: unknown provider 'nope'/);
  });

  it("resolves configured names, provider/model and zero-config prefixes", () => {
    expect(router.resolve("a/anything").targets[0]).toMatchObject({ model: "anything" });
    expect(router.resolve("gpt-4o").targets[0]!.provider.name).toBe("openai");
    expect(router.resolve("o3-mini").targets[0]!.provider.name).toBe("openai");
    expect(router.resolve("llama3.2").targets[0]!.provider.name).toBe("ollama");
    expect(router.resolve("a/x/with/slashes").targets[0]!.model).toBe("x/with/slashes");
  });

  it("gives a 404 that lists what exists", async () => {
    const bare = await routerFor({ providers: {} });
    expect(() => bare.resolve("gpt-4o")).toThrow(/does not exist on this gateway.*mock/);
    expect(() => bare.resolve("nobody/model")).toThrow(/does not exist/);
  });

  it("builds routes with every target, its strategy and its key", () => {
    const route = router.resolve("split");
    expect(route.strategy.name).toBe("weighted");
    expect(route.targets.map((t) => t.key)).toEqual(["a/echo", "b/echo"]);
    expect(router.resolve("rr").strategy.name).toBe("round-robin");
  });
});
