/**
 * Clients whose default path is the Responses API, against the gateway on
 * each of the four upstream protocols: the AI SDK's default `openai(model)`
 * (generateText, streamText, a tool round trip, generateObject) and an
 * @openai/agents agent with one tool.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { Agent, OpenAIProvider, Runner, tool as agentTool } from "@openai/agents";
import { generateObject, generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PROTOCOLS, startResponsesGateway, type ResponsesGateway } from "./responses-gateway.js";

let g: ResponsesGateway;
let provider: ReturnType<typeof createOpenAI>;
let runner: Runner;

beforeAll(async () => {
  g = await startResponsesGateway();
  provider = createOpenAI({ baseURL: g.baseURL, apiKey: g.teamA });
  const openAIClient = new OpenAI({ baseURL: g.baseURL, apiKey: g.teamA, maxRetries: 0 });
  // No traces are sent anywhere: the agent only talks to the gateway.
  runner = new Runner({ modelProvider: new OpenAIProvider({ openAIClient }), tracingDisabled: true });
});
afterAll(async () => {
  await g?.close();
});

const weatherInput = z.object({ city: z.string() });

describe.each(PROTOCOLS)("the AI SDK's openai(model) on the $name protocol", ({ name, model }) => {
  it("generateText", async () => {
    const result = await generateText({ model: provider(model), system: "Be brief.", prompt: `hello ai sdk on ${name}` });
    expect(result.text).toContain(`hello ai sdk on ${name}`);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.finishReason).toBe("stop");
    expect(result.response.id).toMatch(/^resp_/);
  });

  it("streamText", async () => {
    const result = streamText({ model: provider(model), prompt: `stream ai sdk on ${name}` });
    let text = "";
    for await (const piece of result.textStream) text += piece;
    expect(text).toContain(`stream ai sdk on ${name}`);
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    expect(await result.finishReason).toBe("stop");
  });

  it("a tool call round trip", async () => {
    const calls: string[] = [];
    const result = await generateText({
      model: provider(model),
      tools: { get_weather: tool({ description: "Weather for a city", inputSchema: weatherInput, execute: async ({ city }) => { calls.push(city); return `sunny in ${city}`; } }) },
      stopWhen: stepCountIs(3),
      prompt: "What is the weather in Paris?",
    });
    expect(calls).toHaveLength(1);
    expect(result.steps.length).toBeGreaterThanOrEqual(2);
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "get_weather" });
    expect(result.text).not.toBe("");
    // The tool's result reached the upstream in the second step.
    expect(JSON.stringify(g.lastSent(name))).toContain(`sunny in ${calls[0]}`);
  });

  it("generateObject with a zod schema", async () => {
    const schema = z.object({ city: z.string(), population: z.number().int() });
    const result = await generateObject({ model: provider(model), schema, prompt: "Name a large city" });
    expect(schema.safeParse(result.object).success).toBe(true);
    // The schema went upstream in the protocol's own form.
    expect(JSON.stringify(g.lastSent(name))).toContain("population");
  });
});

describe.each(PROTOCOLS)("an @openai/agents agent with a tool on the $name protocol", ({ name, model }) => {
  it("calls the tool and answers", async () => {
    const cities: string[] = [];
    const getWeather = agentTool({
      name: "get_weather",
      description: "Weather for a city",
      parameters: weatherInput,
      execute: async ({ city }) => {
        cities.push(city);
        return `rainy in ${city}`;
      },
    });
    const agent = new Agent({ name: "forecaster", instructions: "Answer weather questions with the tool.", model, tools: [getWeather] });
    const result = await runner.run(agent, "What is the weather in Lima?");
    expect(cities).toHaveLength(1);
    // Both model calls went through the Responses API (the agents SDK's default).
    expect(result.rawResponses.map((r) => r.responseId)).toEqual([expect.stringMatching(/^resp_/), expect.stringMatching(/^resp_/)]);
    expect(typeof result.finalOutput).toBe("string");
    expect(result.finalOutput).not.toBe("");
    expect(JSON.stringify(g.lastSent(name))).toContain(`rainy in ${cities[0]}`);
  });
});
