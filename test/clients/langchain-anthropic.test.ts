/**
 * LangChain's @langchain/anthropic ChatAnthropic (`anthropicApiUrl`: the
 * gateway's root), against the gateway in front of each upstream protocol:
 * invoke, stream (input tokens from message_start), a bindTools round trip,
 * withStructuredOutput with `jsonSchema` (output_config.format) and its
 * default (`functionCalling`, a tool forced by name).
 */
import { ChatAnthropic } from "@langchain/anthropic";
import { AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { City, KEY, PROTOCOLS, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, finalToolAnswer, recordingFetch, startClientGateway, type ClientGateway, type SentRequest, type ProtocolName } from "./client-gateway.js";

let g: ClientGateway;
/** What ChatAnthropic sent to the gateway. */
const sent: SentRequest[] = [];

beforeAll(async () => {
  g = await startClientGateway();
});
afterAll(async () => {
  await g?.close();
});

const chatFor = (model: string) => new ChatAnthropic({ model, apiKey: KEY, anthropicApiUrl: g.url, maxRetries: 0, maxTokens: 300, clientOptions: { fetch: recordingFetch(sent) } });
const getWeather = tool(async () => WEATHER_RESULT, { name: "get_weather", description: "Weather for a city", schema: WeatherArgs });
const lastSent = (name: ProtocolName) => JSON.stringify(g.lastBody(name));

describe.each(PROTOCOLS)("LangChain ChatAnthropic on the $name protocol", ({ name, model }) => {
  it("invoke, on /v1/messages", async () => {
    sent.length = 0;
    const reply = await chatFor(model).invoke(`hello chat anthropic on ${name}`);
    expect(sent.map((s) => s.path)).toEqual(["/v1/messages"]);
    expect(reply.text).toBe(`echo: hello chat anthropic on ${name}`);
    expect(reply.usage_metadata!.input_tokens).toBeGreaterThan(0);
    expect(reply.usage_metadata!.output_tokens).toBeGreaterThan(0);
  });

  it("stream: usage_metadata.input_tokens (read from message_start) > 0", async () => {
    let full: AIMessageChunk | undefined;
    let chunks = 0;
    for await (const chunk of await chatFor(model).stream(`stream chat anthropic on ${name}`)) {
      chunks++;
      full = full === undefined ? chunk : full.concat(chunk);
    }
    expect(chunks).toBeGreaterThan(2);
    expect(full!.text).toBe(`echo: stream chat anthropic on ${name}`);
    expect(full!.usage_metadata!.input_tokens).toBeGreaterThan(0);
    expect(full!.usage_metadata!.output_tokens).toBeGreaterThan(0);
  });

  it("a bindTools round trip", async () => {
    const chat = chatFor(model).bindTools([getWeather]);
    const messages: BaseMessage[] = [new HumanMessage(WEATHER_QUESTION)];
    const first = await chat.invoke(messages);
    expect(first.tool_calls).toHaveLength(1);
    expect(first.tool_calls![0]).toMatchObject({ name: "get_weather", args: { city: "Paris" } });
    messages.push(first, await getWeather.invoke(first.tool_calls![0]!));
    const final = await chat.invoke(messages);
    expect(final.text).toMatch(finalToolAnswer(name));
    expectToolResultSent(g, name);
  });

  it("withStructuredOutput, method jsonSchema: output_config.format", async () => {
    const city = await chatFor(model).withStructuredOutput(City, { method: "jsonSchema" }).invoke("Name a large city");
    expect(sent.at(-1)!.body).toMatchObject({ output_config: { format: { type: "json_schema" } } });
    expect(City.safeParse(city).success).toBe(true);
    expect(lastSent(name)).toContain("landmarks");
  });

  it("withStructuredOutput, default method: a tool forced by name", async () => {
    const city = await chatFor(model).withStructuredOutput(City).invoke("Name a large city");
    expect(sent.at(-1)!.body).toMatchObject({ tools: [{ name: "extract" }], tool_choice: { type: "tool", name: "extract" } });
    expect(City.safeParse(city).success).toBe(true);
    expect(lastSent(name)).toContain("landmarks");
  });
});
