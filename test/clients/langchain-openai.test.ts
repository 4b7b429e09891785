/**
 * LangChain's @langchain/openai 1.5.8 (`configuration: { baseURL: …/v1 }`),
 * against the gateway in front of each upstream protocol: ChatOpenAI on chat
 * completions and with `useResponsesApi: true` — invoke, stream, a bindTools
 * round trip, withStructuredOutput (its default, which is `jsonSchema` for
 * these model names, and `functionCalling`) — and OpenAIEmbeddings.
 */
import { AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { City, EMBEDDING_PROTOCOLS, KEY, PROTOCOLS, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, finalToolAnswer, recordingFetch, startClientGateway, type ClientGateway, type SentRequest } from "./client-gateway.js";

let g: ClientGateway;
/** What ChatOpenAI sent to the gateway. */
const sent: SentRequest[] = [];

beforeAll(async () => {
  g = await startClientGateway();
});
afterAll(async () => {
  await g?.close();
});

const getWeather = tool(async () => WEATHER_RESULT, { name: "get_weather", description: "Weather for a city", schema: WeatherArgs });

const APIS = [
  { api: "chat completions", useResponsesApi: false, path: "/v1/chat/completions" },
  { api: "useResponsesApi", useResponsesApi: true, path: "/v1/responses" },
];

describe.each(APIS)("LangChain ChatOpenAI ($api)", ({ useResponsesApi, path }) => {
  const chatFor = (model: string) => new ChatOpenAI({ model, apiKey: KEY, useResponsesApi, maxRetries: 0, configuration: { baseURL: g.baseURL, fetch: recordingFetch(sent) } });

  describe.each(PROTOCOLS)("on the $name protocol", ({ name, model }) => {
    it("invoke, on the expected endpoint", async () => {
      sent.length = 0;
      const reply = await chatFor(model).invoke(`hello langchain on ${name}`);
      expect(reply.text).toBe(`echo: hello langchain on ${name}`);
      expect(reply.usage_metadata!.input_tokens).toBeGreaterThan(0);
      expect(reply.usage_metadata!.output_tokens).toBeGreaterThan(0);
      expect(sent.map((s) => s.path)).toEqual([path]);
    });

    it("stream, with usage", async () => {
      let full: AIMessageChunk | undefined;
      let chunks = 0;
      for await (const chunk of await chatFor(model).stream(`stream langchain on ${name}`)) {
        chunks++;
        full = full === undefined ? chunk : full.concat(chunk);
      }
      expect(chunks).toBeGreaterThan(2);
      expect(full!.text).toBe(`echo: stream langchain on ${name}`);
      expect(full!.usage_metadata!.input_tokens).toBeGreaterThan(0);
      expect(full!.usage_metadata!.output_tokens).toBeGreaterThan(0);
    });

    it("a bindTools round trip", async () => {
      const chat = chatFor(model).bindTools([getWeather]);
      const messages: BaseMessage[] = [new HumanMessage(WEATHER_QUESTION)];
      const first = await chat.invoke(messages);
      expect(first.tool_calls).toHaveLength(1);
      expect(first.tool_calls![0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
      const result = await getWeather.invoke(first.tool_calls![0]!);
      expect(result).toBeInstanceOf(ToolMessage);
      messages.push(first, result);
      const final = await chat.invoke(messages);
      expect(final.text).toMatch(finalToolAnswer(name));
      expectToolResultSent(g, name);
    });

    it("withStructuredOutput, default method: the schema as a json_schema response format", async () => {
      const city = await chatFor(model).withStructuredOutput(City).invoke("Name a large city");
      expect(City.safeParse(city).success).toBe(true);
      const body = sent.at(-1)!.body;
      if (useResponsesApi) expect(body).toMatchObject({ text: { format: { type: "json_schema" } } });
      else expect(body).toMatchObject({ response_format: { type: "json_schema" } });
      expect(JSON.stringify(g.lastBody(name))).toContain("landmarks");
    });

    it("withStructuredOutput, method jsonSchema", async () => {
      const city = await chatFor(model).withStructuredOutput(City, { method: "jsonSchema" }).invoke("Name a large city");
      expect(City.safeParse(city).success).toBe(true);
    });

    it("withStructuredOutput, method functionCalling: a tool forced by name", async () => {
      const city = await chatFor(model).withStructuredOutput(City, { method: "functionCalling" }).invoke("Name a large city");
      expect(sent.at(-1)!.body).toMatchObject({ tools: [expect.anything()], tool_choice: expect.anything() });
      expect(City.safeParse(city).success).toBe(true);
    });
  });
});

describe.each(EMBEDDING_PROTOCOLS)("LangChain OpenAIEmbeddings on the $name protocol", ({ embedModel }) => {
  it("embedQuery and embedDocuments", async () => {
    const embeddings = new OpenAIEmbeddings({ model: embedModel!, apiKey: KEY, maxRetries: 0, configuration: { baseURL: g.baseURL } });
    const query = await embeddings.embedQuery("alpha");
    expect(query.length).toBeGreaterThan(0);
    const docs = await embeddings.embedDocuments(["alpha", "beta"]);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toEqual(query);
    expect(docs[1]).not.toEqual(query);
  });
});
