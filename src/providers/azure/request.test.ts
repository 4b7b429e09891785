/**
 * Where an Azure OpenAI request goes (the data-plane spec's deployment URLs
 * for dated versions, the /openai/v1 surface for v1) and how the key is sent.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { OpenAIEndpoint } from "../openai/adapter.js";
import { azureHeaders, azureUrl } from "./request.js";

interface UrlCase { description: string; base_url: string; api_version: string; endpoint: OpenAIEndpoint; deployment: string; url: string }

const cases = JSON.parse(readFileSync(new URL("./fixtures/urls.json", import.meta.url), "utf8")) as UrlCase[];

describe("azureUrl", () => {
  for (const c of cases) {
    it(c.description, () => {
      expect(azureUrl(c.base_url, c.api_version)(c.endpoint, c.deployment)).toBe(c.url);
    });
  }
});

describe("azureHeaders", () => {
  it("sends the key as api-key, never as a Bearer token", () => {
    expect(azureHeaders("k-123", undefined)).toEqual({ "api-key": "k-123" });
  });

  it("lets configured headers add to it or replace it (an Entra ID token instead of a key)", () => {
    expect(azureHeaders(undefined, { authorization: "Bearer entra-token" })).toEqual({ authorization: "Bearer entra-token" });
    expect(azureHeaders("k-123", { "api-key": "other", "x-ms-client-request-id": "r1" })).toEqual({ "api-key": "other", "x-ms-client-request-id": "r1" });
  });
});
