/**
 * The Vercel AI SDK (`ai` 6) with @ai-sdk/openai 3, against the gateway in
 * front of each upstream protocol: the default `openai(model)` (the
 * Responses API) and `openai.chat(model)` (chat completions), each with
 * generateText, streamText, a tool round trip and generateObject; embed and
 * embedMany with `openai.embedding(model)`; errors as APICallError.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, embed, embedMany, generateText } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGenerateObject, checkGenerateText, checkStreamText, checkToolRoundTrip } from "./ai-sdk-cases.js";
import { EMBEDDING_PROTOCOLS, KEY, PROTOCOLS, recordingFetch, startClientGateway, type ClientGateway, type SentRequest } from "./client-gateway.js";

let g: ClientGateway;
let openai: ReturnType<typeof createOpenAI>;
/** What the provider sent, to tell which API it used. */
const sent: SentRequest[] = [];

beforeAll(async () => {
  g = await startClientGateway();
  openai = createOpenAI({ baseURL: g.baseURL, apiKey: KEY, fetch: recordingFetch(sent) });
});
afterAll(async () => {
  await g?.close();
});

const APIS = [
  { api: "openai(model)", path: "/v1/responses", of: (model: string) => openai(model) },
  { api: "openai.chat(model)", path: "/v1/chat/completions", of: (model: string) => openai.chat(model) },
];

describe.each(APIS)("AI SDK $api", ({ api, path, of }) => {
  describe.each(PROTOCOLS)("on the $name protocol", ({ name, model }) => {
    it("generateText, on the expected endpoint", async () => {
      sent.length = 0;
      await checkGenerateText(of(model), `hello ${api} on ${name}`);
      expect(sent.map((s) => s.path)).toEqual([path]);
    });

    it("streamText", async () => {
      await checkStreamText(of(model), `stream ${api} on ${name}`);
    });

    it("a tool round trip", async () => {
      await checkToolRoundTrip(g, name, of(model));
    });

    it("generateObject with a zod schema", async () => {
      await checkGenerateObject(g, name, of(model));
    });
  });
});

describe.each(EMBEDDING_PROTOCOLS)("AI SDK openai.embedding on the $name protocol", ({ embedModel }) => {
  it("embed and embedMany", async () => {
    const one = await embed({ model: openai.embedding(embedModel!), value: "alpha", maxRetries: 0 });
    expect(one.embedding.length).toBeGreaterThan(0);
    expect(one.usage.tokens).toBeGreaterThan(0);
    const many = await embedMany({ model: openai.embedding(embedModel!), values: ["alpha", "beta"], maxRetries: 0 });
    expect(many.embeddings).toHaveLength(2);
    expect(many.embeddings[0]).toEqual(one.embedding);
    expect(many.embeddings[1]).not.toEqual(one.embedding);
  });
});

describe("AI SDK errors", () => {
  it("an unknown model and a wrong key are APICallErrors with the status, not retryable", async () => {
    for (const model of [openai("no-such-model"), openai.chat("no-such-model")]) {
      const err = await generateText({ model, prompt: "hi", maxRetries: 0 }).catch((e: unknown) => e);
      expect(APICallError.isInstance(err)).toBe(true);
      expect((err as APICallError).statusCode).toBe(404);
      expect((err as APICallError).isRetryable).toBe(false);
    }
    const wrong = createOpenAI({ baseURL: g.baseURL, apiKey: "not-the-key" });
    const err = await generateText({ model: wrong("via-openai"), prompt: "hi", maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(401);
  });
});
