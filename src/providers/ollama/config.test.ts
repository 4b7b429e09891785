import { describe, expect, it } from "vitest";
import { ollamaRoot } from "./adapter.js";
import { ollamaConfigSchema } from "./config.js";

describe("ollama config", () => {
  it("needs only the type", () => {
    expect(ollamaConfigSchema.parse({ type: "ollama" })).toEqual({ type: "ollama" });
  });

  it("takes keep_alive as a duration or seconds, and free-form model options", () => {
    const parsed = ollamaConfigSchema.parse({ type: "ollama", keep_alive: "10m", options: { num_ctx: 8192, stop: ["x"] } });
    expect(parsed).toMatchObject({ keep_alive: "10m", options: { num_ctx: 8192 } });
    expect(ollamaConfigSchema.parse({ type: "ollama", keep_alive: -1 }).keep_alive).toBe(-1);
  });

  it("rejects misspelt keys and non-http URLs", () => {
    expect(ollamaConfigSchema.safeParse({ type: "ollama", keepalive: "5m" }).success).toBe(false);
    expect(ollamaConfigSchema.safeParse({ type: "ollama", base_url: "ftp://x" }).success).toBe(false);
  });

  it("finds the server root with or without /api", () => {
    expect(ollamaRoot(undefined)).toBe("http://127.0.0.1:11434");
    expect(ollamaRoot("http://gpu-box:11434/")).toBe("http://gpu-box:11434");
    expect(ollamaRoot("https://ollama.com/api")).toBe("https://ollama.com");
  });
});
