/**
 * The Vercel AI SDK (`ai` 6) calls every AI SDK provider is checked with —
 * generateText, streamText, a tool round trip with `execute`, generateObject
 * — as one function each, so the files that test @ai-sdk/openai,
 * @ai-sdk/anthropic and @ai-sdk/openai-compatible assert the same things.
 */
import { generateObject, generateText, stepCountIs, streamText, tool, type LanguageModel } from "ai";
import { expect } from "vitest";
import { City, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, finalToolAnswer, type ClientGateway, type ProtocolName } from "./client-gateway.js";

export async function checkGenerateText(model: LanguageModel, prompt: string): Promise<void> {
  const result = await generateText({ model, system: "Be brief.", prompt, maxRetries: 0 });
  expect(result.text).toBe(`echo: ${prompt}`);
  expect(result.finishReason).toBe("stop");
  expect(result.usage.inputTokens).toBeGreaterThan(0);
  expect(result.usage.outputTokens).toBeGreaterThan(0);
}

/** streamText reports a failed stream to onError only; this makes it fail the test. */
function failOnStreamError(): { onError: (event: { error: unknown }) => void; check: () => void } {
  const errors: unknown[] = [];
  return {
    onError: ({ error }) => { errors.push(error); },
    check: () => { if (errors.length > 0) throw errors[0]; },
  };
}

export async function checkStreamText(model: LanguageModel, prompt: string): Promise<void> {
  const errors = failOnStreamError();
  const result = streamText({ model, prompt, maxRetries: 0, onError: errors.onError });
  const pieces: string[] = [];
  for await (const piece of result.textStream) pieces.push(piece);
  errors.check();
  expect(pieces.join("")).toBe(`echo: ${prompt}`);
  expect(pieces.length).toBeGreaterThan(1);
  expect(await result.finishReason).toBe("stop");
  expect((await result.usage).outputTokens).toBeGreaterThan(0);
}

const weatherTools = (calls: unknown[]) => ({
  get_weather: tool({
    description: "Weather for a city", inputSchema: WeatherArgs,
    execute: async (input) => { calls.push(input); return WEATHER_RESULT; },
  }),
});

/**
 * A tool with `execute` and `stopWhen: stepCountIs(3)`, with generateText and
 * then streamText: the call, the result sent upstream, the final text.
 */
export async function checkToolRoundTrip(g: ClientGateway, name: ProtocolName, model: LanguageModel): Promise<void> {
  const calls: unknown[] = [];
  const result = await generateText({ model, maxRetries: 0, prompt: WEATHER_QUESTION, stopWhen: stepCountIs(3), tools: weatherTools(calls) });
  expect(calls).toEqual([{ city: "Paris" }]);
  expect(result.steps).toHaveLength(2);
  expect(result.steps[0]!.finishReason).toBe("tool-calls");
  expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "get_weather", input: { city: "Paris" } });
  expect(result.text).toMatch(finalToolAnswer(name));
  expectToolResultSent(g, name);

  const errors = failOnStreamError();
  const streamed = streamText({ model, maxRetries: 0, prompt: WEATHER_QUESTION, stopWhen: stepCountIs(3), tools: weatherTools(calls), onError: errors.onError });
  await streamed.consumeStream();
  errors.check();
  expect(calls).toEqual([{ city: "Paris" }, { city: "Paris" }]);
  expect(await streamed.steps).toHaveLength(2);
  expect(await streamed.text).toMatch(finalToolAnswer(name));
  expectToolResultSent(g, name);
}

export async function checkGenerateObject(g: ClientGateway, name: ProtocolName, model: LanguageModel, options: Parameters<typeof generateObject>[0]["providerOptions"] = undefined): Promise<void> {
  const result = await generateObject({ model, schema: City, prompt: "Name a large city", maxRetries: 0, ...(options ? { providerOptions: options } : {}) });
  expect(City.safeParse(result.object).success).toBe(true);
  expect(result.usage.inputTokens).toBeGreaterThan(0);
  // The schema went upstream in the protocol's own form.
  expect(JSON.stringify(g.lastBody(name))).toContain("landmarks");
}
