/**
 * The Vercel AI SDK (`ai` 6) with @ai-sdk/anthropic 3 (base URL `…/v1`,
 * on /v1/messages) and @ai-sdk/openai-compatible 2 (on /v1/chat/completions
 * and /v1/embeddings), against the gateway in front of each upstream
 * protocol: generateText, streamText, a tool round trip, generateObject
 * (and for @ai-sdk/anthropic both of its structured-output modes), embed.
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, defaultSettingsMiddleware, embed, embedMany, generateObject, generateText, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGenerateObject, checkGenerateText, checkStreamText, checkToolRoundTrip } from "./ai-sdk-cases.js";
import { EMBEDDING_PROTOCOLS, KEY, PROTOCOLS, recordingFetch, startClientGateway, type ClientGateway, type SentRequest } from "./client-gateway.js";

let g: ClientGateway;
let anthropic: ReturnType<typeof createAnthropic>;
let compatible: ReturnType<typeof createOpenAICompatible>;
/** The same provider told that the server takes json_schema, so generateObject sends the schema. */
let structured: ReturnType<typeof createOpenAICompatible>;
/** What the clients sent to the gateway. */
const sent: SentRequest[] = [];

beforeAll(async () => {
  g = await startClientGateway();
  anthropic = createAnthropic({ baseURL: g.baseURL, apiKey: KEY, fetch: recordingFetch(sent) });
  compatible = createOpenAICompatible({ name: "liaison", baseURL: g.baseURL, apiKey: KEY, includeUsage: true, fetch: recordingFetch(sent) });
  structured = createOpenAICompatible({ name: "liaison", baseURL: g.baseURL, apiKey: KEY, supportsStructuredOutputs: true, fetch: recordingFetch(sent) });
});
afterAll(async () => {
  await g?.close();
});

/**
 * @ai-sdk/anthropic with a max output tokens setting: for a model name it does
 * not know (not a `claude-…` one) it otherwise caps max_tokens at 4096 and
 * logs a warning on every call.
 */
const claude = (model: string) => wrapLanguageModel({ model: anthropic(model), middleware: defaultSettingsMiddleware({ settings: { maxOutputTokens: 1000 } }) });

describe.each(PROTOCOLS)("AI SDK @ai-sdk/anthropic on the $name protocol", ({ name, model }) => {
  it("generateText on /v1/messages", async () => {
    sent.length = 0;
    await checkGenerateText(claude(model), `hello ai-sdk anthropic on ${name}`);
    expect(sent.map((s) => s.path)).toEqual(["/v1/messages"]);
  });

  it("streamText", async () => {
    await checkStreamText(claude(model), `stream ai-sdk anthropic on ${name}`);
  });

  it("a tool round trip", async () => {
    await checkToolRoundTrip(g, name, claude(model));
  });

  it("generateObject: a forced `json` tool for a name that is not a Claude model's", async () => {
    await checkGenerateObject(g, name, claude(model));
    expect(sent.at(-1)!.body).toMatchObject({ tools: [{ name: "json" }], tool_choice: { type: "any" } });
    expect(sent.at(-1)!.body).not.toHaveProperty("output_config");
  });

  it("generateObject with structuredOutputMode outputFormat: output_config.format", async () => {
    await checkGenerateObject(g, name, claude(model), { anthropic: { structuredOutputMode: "outputFormat" } });
    expect(sent.at(-1)!.body).toMatchObject({ output_config: { format: { type: "json_schema" } } });
    expect(sent.at(-1)!.body).not.toHaveProperty("tools");
  });
});

describe("AI SDK @ai-sdk/anthropic and model names", () => {
  it("a name it does not know: max_tokens capped at 4096, with a warning", async () => {
    const result = await generateText({ model: anthropic("via-openai"), prompt: "hi", maxRetries: 0 });
    expect(sent.at(-1)!.body.max_tokens).toBe(4096);
    expect(JSON.stringify(result.warnings)).toContain("maxOutputTokens");
  });

  it("a Claude name (here provider/model) gets output_config.format from generateObject", async () => {
    await checkGenerateObject(g, "anthropic", anthropic("anthropic/claude-sonnet-4-5"));
    expect(sent.at(-1)!.body).toMatchObject({ max_tokens: 64000, output_config: { format: { type: "json_schema" } } });
    expect(sent.at(-1)!.body).not.toHaveProperty("tools");
  });
});

describe.each(PROTOCOLS)("AI SDK @ai-sdk/openai-compatible on the $name protocol", ({ name, model }) => {
  it("generateText on /v1/chat/completions", async () => {
    sent.length = 0;
    await checkGenerateText(compatible(model), `hello ai-sdk compatible on ${name}`);
    expect(sent.map((s) => s.path)).toEqual(["/v1/chat/completions"]);
  });

  it("streamText (usage with includeUsage)", async () => {
    await checkStreamText(compatible(model), `stream ai-sdk compatible on ${name}`);
    expect(sent.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("a tool round trip", async () => {
    await checkToolRoundTrip(g, name, compatible(model));
  });

  it("generateObject with supportsStructuredOutputs: response_format json_schema", async () => {
    await checkGenerateObject(g, name, structured(model));
    expect(sent.at(-1)!.body).toMatchObject({ response_format: { type: "json_schema", json_schema: { name: "response", strict: true } } });
  });

  // The Anthropic fake ignores the system instruction the gateway turns json_object into (a real model follows it).
  it.runIf(name !== "anthropic")("without it, generateObject sends json_object and no schema at all", async () => {
    const result = await generateObject({ model: compatible(model), output: "no-schema", prompt: "Name a large city", maxRetries: 0 });
    expect(sent.at(-1)!.body.response_format).toEqual({ type: "json_object" });
    expect(JSON.stringify(sent.at(-1)!.body)).not.toContain("schema");
    // The fakes' JSON-mode answer: {"echo": …} with the prompt in it.
    expect(result.object).toEqual({ echo: expect.stringContaining("Name a large city") });
  });
});

describe.each(EMBEDDING_PROTOCOLS)("AI SDK @ai-sdk/openai-compatible embeddings on the $name protocol", ({ embedModel }) => {
  it("embed and embedMany", async () => {
    const one = await embed({ model: compatible.embeddingModel(embedModel!), value: "alpha", maxRetries: 0 });
    expect(one.embedding.length).toBeGreaterThan(0);
    const many = await embedMany({ model: compatible.embeddingModel(embedModel!), values: ["alpha", "beta"], maxRetries: 0 });
    expect(many.embeddings).toHaveLength(2);
    expect(many.embeddings[0]).toEqual(one.embedding);
    expect(sent.at(-1)!.path).toBe("/v1/embeddings");
  });
});

describe("AI SDK errors through @ai-sdk/anthropic and @ai-sdk/openai-compatible", () => {
  it("an unknown model is an APICallError with status 404", async () => {
    for (const model of [anthropic("no-such-model"), compatible("no-such-model")]) {
      const err = await generateText({ model, prompt: "hi", maxRetries: 0 }).catch((e: unknown) => e);
      expect(APICallError.isInstance(err)).toBe(true);
      expect((err as APICallError).statusCode).toBe(404);
    }
  });
});
