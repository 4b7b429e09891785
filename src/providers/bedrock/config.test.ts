/**
 * The config block and the start-up checks: what the schema refuses, where
 * credentials come from, and the clear errors when there are none.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Timeouts } from "../types.js";
import { createBedrockAdapter } from "./adapter.js";
import { regionFromHost, resolveCredentials } from "./auth.js";
import { bedrockConfigSchema, type BedrockConfig } from "./config.js";

const timeouts: Timeouts = { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, totalMs: 1000 };
const parse = (input: unknown) => bedrockConfigSchema.safeParse(input);
const messages = (input: unknown): string[] => {
  const r = parse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("bedrockConfigSchema", () => {
  it("accepts region + key pair, region + api_key, base_url alone", () => {
    expect(parse({ type: "bedrock", region: "us-east-1", access_key_id: "AKIA", secret_access_key: "s", session_token: "t" }).success).toBe(true);
    expect(parse({ type: "bedrock", region: "eu-central-1", api_key: "bedrock-key" }).success).toBe(true);
    expect(parse({ type: "bedrock", base_url: "https://vpce-1.bedrock-runtime.us-west-2.vpce.amazonaws.com" }).success).toBe(true);
    expect(parse({ type: "bedrock", region: "us-gov-west-1", models: ["amazon.nova-pro-v1:0"], timeouts: { first_byte_ms: 5000 }, headers: { "x-a": "b" } }).success).toBe(true);
  });

  it("names what is wrong", () => {
    expect(messages({ type: "bedrock" })).toEqual(["region: region is required (or base_url, for a custom endpoint)"]);
    expect(messages({ type: "bedrock", region: "us-east-1", access_key_id: "AKIA" })).toEqual([
      "secret_access_key: access_key_id and secret_access_key go together: set both or neither",
    ]);
    expect(messages({ type: "bedrock", region: "us-east-1", session_token: "t" })[0]).toContain("session_token needs");
    expect(messages({ type: "bedrock", region: "Virginia" })[0]).toContain("AWS region");
    expect(messages({ type: "bedrock", region: "us-east-1", secret: "x" })[0]).toContain("secret");
  });

  it("works inside a discriminated union, as the config schema composes providers", () => {
    const union = z.discriminatedUnion("type", [bedrockConfigSchema, z.strictObject({ type: z.literal("mock") })]);
    expect(union.safeParse({ type: "bedrock", region: "us-east-1" }).success).toBe(true);
    expect(union.safeParse({ type: "bedrock" }).success).toBe(false);
  });
});

describe("credentials", () => {
  const base: BedrockConfig = { type: "bedrock", region: "us-east-1" };

  it("prefers the config (api_key, then the key pair), then AWS_BEARER_TOKEN_BEDROCK, then the AWS_* key pair", () => {
    const env = { AWS_ACCESS_KEY_ID: "ENVKEY", AWS_SECRET_ACCESS_KEY: "envsecret", AWS_SESSION_TOKEN: "envtoken", AWS_BEARER_TOKEN_BEDROCK: "envbearer" };
    expect(resolveCredentials("b", { ...base, api_key: "k" }, env)).toEqual({ kind: "bearer", token: "k", source: "config" });
    expect(resolveCredentials("b", { ...base, access_key_id: "A", secret_access_key: "S" }, env)).toEqual({
      kind: "sigv4",
      source: "config",
      credentials: { accessKeyId: "A", secretAccessKey: "S" },
    });
    expect(resolveCredentials("b", base, env)).toEqual({ kind: "bearer", token: "envbearer", source: "environment" });
    expect(resolveCredentials("b", base, { ...env, AWS_BEARER_TOKEN_BEDROCK: "" })).toEqual({
      kind: "sigv4",
      source: "environment",
      credentials: { accessKeyId: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "envtoken" },
    });
  });

  it("without any, the adapter refuses to start and says how to fix it", () => {
    expect(() => createBedrockAdapter("aws", base, timeouts, {})).toThrow(/Provider 'aws' \(type bedrock\) has no credentials: set access_key_id and secret_access_key/);
    expect(() => createBedrockAdapter("aws", base, timeouts, { AWS_ACCESS_KEY_ID: "only-half" })).toThrow(/api_key/);
  });

  it("SigV4 needs a region: from the config or the base_url's host name", () => {
    const env = { AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "S" };
    expect(createBedrockAdapter("b", { type: "bedrock", base_url: "https://bedrock-runtime.eu-west-3.amazonaws.com" }, timeouts, env).type).toBe("bedrock");
    expect(() => createBedrockAdapter("b", { type: "bedrock", base_url: "http://127.0.0.1:9999" }, timeouts, env)).toThrow(/needs the region/);
    // A Bearer key needs no region when the URL is given.
    expect(createBedrockAdapter("b", { type: "bedrock", base_url: "http://127.0.0.1:9999", api_key: "k" }, timeouts, {}).name).toBe("b");
  });

  it("reads regions out of endpoint host names", () => {
    expect(regionFromHost("bedrock-runtime.us-east-1.amazonaws.com")).toBe("us-east-1");
    expect(regionFromHost("bedrock-runtime-fips.us-gov-west-1.amazonaws.com")).toBe("us-gov-west-1");
    expect(regionFromHost("vpce-0a1b2c.bedrock-runtime.ap-southeast-2.vpce.amazonaws.com")).toBe("ap-southeast-2");
    expect(regionFromHost("127.0.0.1")).toBeUndefined();
  });

  it("declares its capabilities: chat with vision and tools; no completions or embeddings", () => {
    const adapter = createBedrockAdapter("b", { ...base, api_key: "k", models: ["amazon.nova-pro-v1:0"] }, timeouts, {});
    expect(adapter.capabilities).toEqual({ chat: true, completions: false, embeddings: false, vision: true, tools: true });
    expect(adapter.embed).toBeUndefined();
    expect(adapter.completions).toBeUndefined();
    expect(adapter.models?.()).toEqual(["amazon.nova-pro-v1:0"]);
  });
});
