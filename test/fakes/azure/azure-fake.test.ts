/**
 * The Azure fake driven by the official client: `AzureOpenAI` for the dated
 * deployment URLs, plain `OpenAI` for the v1 surface.
 */
import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureFake, type AzureFakeServer } from "../index.js";

const API_KEY = "azure-key-123";
const API_VERSION = "2024-10-21";

let fake: AzureFakeServer;

function azure(deployment: string, apiKey = API_KEY): AzureOpenAI {
  return new AzureOpenAI({ endpoint: fake.url, apiKey, apiVersion: API_VERSION, deployment, maxRetries: 0 });
}

beforeAll(async () => {
  fake = await startAzureFake({ apiKey: API_KEY });
});
afterAll(() => fake.close());

describe("dated API (AzureOpenAI client)", () => {
  it("serves chat completions at the deployment URL, reporting the deployment as model", async () => {
    const before = fake.requests.length;
    const { data, response } = await azure("gpt-4o-mini")
      .chat.completions.create({ model: "ignored-by-azure", messages: [{ role: "user", content: "hi azure" }] })
      .withResponse();
    expect(data.model).toBe("gpt-4o-mini");
    expect(data.choices[0]?.message.content).toBe("echo: hi azure");
    expect(data).toHaveProperty("prompt_filter_results.0.content_filter_results.hate", { filtered: false, severity: "safe" });
    expect(data.choices[0]).toHaveProperty("content_filter_results.violence.filtered", false);
    expect(response.headers.get("apim-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const recorded = fake.requests[before];
    expect(recorded).toMatchObject({ method: "POST", path: "/openai/deployments/gpt-4o-mini/chat/completions", query: { "api-version": API_VERSION } });
    expect(recorded?.headers["api-key"]).toBe(API_KEY);
  });

  it("streams after a prompt-filter event with empty choices", async () => {
    const stream = await azure("gpt-4o").chat.completions.create({
      model: "gpt-4o",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream from azure" }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]).toMatchObject({ choices: [], id: "", model: "" });
    expect(chunks[0]).toHaveProperty("prompt_filter_results");
    expect(chunks[1]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("echo: stream from azure");
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
    expect(chunks.slice(1).every((c) => c.model === "gpt-4o")).toBe(true);
  });

  it("streams tool calls the SDK reassembles", async () => {
    const final = await azure("gpt-4o")
      .chat.completions.stream({
        model: "gpt-4o",
        tools: [{ type: "function", function: { name: "lookup_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
        messages: [{ role: "user", content: "weather in Oslo" }],
      })
      .finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("lookup_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Oslo" });
  });

  it("serves legacy completions and embeddings", async () => {
    const completion = await azure("gpt-35-turbo-instruct").completions.create({ model: "x", prompt: "old school" });
    expect(completion.model).toBe("gpt-35-turbo-instruct");
    expect(completion.choices[0]?.text).toBe("echo: old school");
    expect(completion).toHaveProperty("prompt_filter_results");
    const embeddings = await azure("text-embedding-3-small").embeddings.create({ model: "x", input: ["a", "b"] });
    expect(embeddings.model).toBe("text-embedding-3-small");
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data[0]?.embedding).toHaveLength(1536);
  });

  it("answers a bad key with Azure's 401 body", async () => {
    const error = await azure("gpt-4o", "wrong")
      .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: "401" });
    expect((error as Error).message).toContain("Access denied due to invalid subscription key");
  });

  it("answers an unknown deployment with 404 DeploymentNotFound", async () => {
    const error = await azure("no-such-deployment")
      .chat.completions.create({ model: "x", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: "DeploymentNotFound" });
  });

  it("answers a missing api-version with 404 Resource not found", async () => {
    const res = await fetch(`${fake.url}/openai/deployments/gpt-4o/chat/completions`, {
      method: "POST",
      headers: { "api-key": API_KEY, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "404", message: "Resource not found" } });
  });

  it("turns faults into Azure-shaped errors", async () => {
    const client = azure("gpt-4o");
    const chat = { model: "gpt-4o", messages: [{ role: "user" as const, content: "x" }] };
    fake.setFault({ kind: "rate_limit", retryAfterSeconds: 7, times: 1 });
    const limited = await client.chat.completions.create(chat).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = limited as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.code).toBe("429");
    expect(rateLimit.message).toContain(`ChatCompletions_Create Operation under Azure OpenAI API version ${API_VERSION}`);
    expect(rateLimit.headers.get("retry-after")).toBe("7");
    expect(rateLimit.headers.get("retry-after-ms")).toBe("7000");
    fake.setFault({ kind: "status", status: 500, times: 1 });
    await expect(client.chat.completions.create(chat)).rejects.toMatchObject({ status: 500, code: "InternalServerError" });
    await expect(client.chat.completions.create(chat)).resolves.toBeDefined();
  });
});

describe("v1 API (OpenAI client)", () => {
  it("takes the deployment from the body, with Bearer or api-key auth", async () => {
    const bearer = new OpenAI({ baseURL: fake.v1URL, apiKey: API_KEY, maxRetries: 0 });
    const res = await bearer.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "v1" }] });
    expect(res.model).toBe("gpt-4o");
    expect(res.choices[0]?.message.content).toBe("echo: v1");
    expect(fake.requests.at(-1)).toMatchObject({ path: "/openai/v1/chat/completions", query: {} });

    const apiKeyHeader = new OpenAI({ baseURL: fake.v1URL, apiKey: "unused", defaultHeaders: { authorization: null, "api-key": API_KEY }, maxRetries: 0 });
    const page = await apiKeyHeader.models.list();
    expect(page.data.map((m) => m.id)).toContain("text-embedding-3-small");
    expect(fake.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it("answers an unknown deployment in the body with DeploymentNotFound", async () => {
    const client = new OpenAI({ baseURL: fake.v1URL, apiKey: API_KEY, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: "gpt-unknown", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({ status: 404, code: "DeploymentNotFound" });
  });

  it("can leave out the content-filter fields", async () => {
    const plain = await startAzureFake({ contentFilter: false, deployments: ["mine"] });
    try {
      const client = new OpenAI({ baseURL: plain.v1URL, apiKey: "x", maxRetries: 0 });
      const res = await client.chat.completions.create({ model: "mine", messages: [{ role: "user", content: "x" }] });
      expect(res).not.toHaveProperty("prompt_filter_results");
    } finally {
      await plain.close();
    }
  });
});
