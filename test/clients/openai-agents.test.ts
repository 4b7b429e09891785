/**
 * @openai/agents 0.14 through the gateway, on each upstream protocol and on
 * both of its OpenAI APIs (`setOpenAIAPI("responses")`, its default, and
 * "chat_completions"): an agent with one function tool (run and streamed),
 * and an agent with a zod `outputType`. The SDK's own defaults are used —
 * `setDefaultOpenAIClient` with a client pointed at the gateway and
 * `setTracingDisabled(true)` — and every fetch is checked to go to the
 * gateway.
 */
import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from "@openai/agents";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { City, KEY, PROTOCOLS, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, startClientGateway, type ClientGateway } from "./client-gateway.js";

let g: ClientGateway;
/** Every URL fetched in this process while the agents run: only the gateway may be called. */
const fetched: string[] = [];

beforeAll(async () => {
  g = await startClientGateway();
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  });
  setDefaultOpenAIClient(new OpenAI({ baseURL: g.baseURL, apiKey: KEY, maxRetries: 0 }));
  setTracingDisabled(true);
});
afterAll(async () => {
  vi.restoreAllMocks();
  setOpenAIAPI("responses");
  await g?.close();
});

const API_PATHS = { responses: "/v1/responses", chat_completions: "/v1/chat/completions" } as const;
const APIS = (Object.keys(API_PATHS) as (keyof typeof API_PATHS)[]).map((api) => ({ api }));

function weatherAgent(model: string, calls: unknown[]) {
  const getWeather = tool({
    name: "get_weather", description: "Weather for a city", parameters: WeatherArgs,
    execute: async (input) => { calls.push(input); return WEATHER_RESULT; },
  });
  return new Agent({ name: "forecaster", instructions: "Answer weather questions with the tool.", model, tools: [getWeather] });
}

describe.each(APIS)("@openai/agents with setOpenAIAPI($api)", ({ api }) => {
  beforeAll(() => setOpenAIAPI(api));

  describe.each(PROTOCOLS)("on the $name protocol", ({ name, model }) => {
    it("an agent calls its tool and answers", async () => {
      fetched.length = 0;
      const calls: unknown[] = [];
      const result = await run(weatherAgent(model, calls), WEATHER_QUESTION);
      expect(calls).toEqual([{ city: "Paris" }]);
      expect(result.finalOutput).toMatch(/^echo: /);
      expect(result.rawResponses).toHaveLength(2);
      expect(result.rawResponses[1]!.usage.inputTokens).toBeGreaterThan(0);
      expectToolResultSent(g, name);
      // Two model calls, both to the gateway's endpoint for this API, and nothing else (no traces).
      expect(fetched).toEqual([`${g.url}${API_PATHS[api]}`, `${g.url}${API_PATHS[api]}`]);
    });

    it("streamed: the same run with stream: true", async () => {
      const calls: unknown[] = [];
      const result = await run(weatherAgent(model, calls), WEATHER_QUESTION, { stream: true });
      let text = "";
      for await (const chunk of result.toTextStream()) text += chunk;
      await result.completed;
      expect(calls).toEqual([{ city: "Paris" }]);
      // The text of both turns (the Anthropic fake says a few words before its tool call), the answer last.
      expect(result.finalOutput).toMatch(/^echo: /);
      expect(text.endsWith(result.finalOutput!)).toBe(true);
      expectToolResultSent(g, name);
    });

    it("an agent with a zod outputType", async () => {
      const agent = new Agent({ name: "geographer", instructions: "Answer with a city.", model, outputType: City });
      const result = await run(agent, "Name a large city");
      expect(City.safeParse(result.finalOutput).success).toBe(true);
      expect(JSON.stringify(g.lastBody(name))).toContain("landmarks");
    });
  });
});
