/**
 * The openai SDK (v6) on the Responses API (`client.responses`), against the
 * gateway in front of each upstream protocol: create and stream, a function
 * tool round trip (the call streamed, the result sent both with
 * `previous_response_id` and as the whole conversation), `text.format`
 * json_schema through `responses.parse` and a parsed stream, typed errors.
 */
import OpenAI from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { City, KEY, PROTOCOLS, WEATHER_PARAMETERS, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, finalToolAnswer, startClientGateway, type ClientGateway } from "./client-gateway.js";

let g: ClientGateway;
let client: OpenAI;

beforeAll(async () => {
  g = await startClientGateway();
  client = new OpenAI({ baseURL: g.baseURL, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await g?.close();
});

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: "function", name: "get_weather", description: "Weather for a city", strict: true, parameters: { ...WEATHER_PARAMETERS },
};

describe.each(PROTOCOLS)("openai SDK responses on the $name protocol", ({ name, model }) => {
  it("create", async () => {
    const res = await client.responses.create({ model, instructions: "Be brief.", input: `hello responses on ${name}` });
    expect(res.id).toMatch(/^resp_/);
    expect(res.status).toBe("completed");
    expect(res.output_text).toBe(`echo: hello responses on ${name}`);
    expect(res.usage!.input_tokens).toBeGreaterThan(0);
    expect(res.usage!.output_tokens).toBeGreaterThan(0);
  });

  it("stream: typed events in order, deltas add up to the final text", async () => {
    const stream = client.responses.stream({ model, input: `stream responses on ${name}` });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(text).toBe(`echo: stream responses on ${name}`);
    expect(final.output_text).toBe(text);
    expect(final.usage!.output_tokens).toBeGreaterThan(0);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(types.filter((t) => t === "response.output_text.delta").length).toBeGreaterThan(1);
  });

  it("a function tool round trip: the call streamed, the result by previous_response_id and in full", async () => {
    const stream = client.responses.stream({ model, tools: [weatherTool], input: WEATHER_QUESTION });
    const first = await stream.finalResponse();
    const call = first.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error(`no function_call in ${JSON.stringify(first.output)}`);
    expect(call.name).toBe("get_weather");
    expect(WeatherArgs.parse(JSON.parse(call.arguments))).toEqual({ city: "Paris" });

    const output = { type: "function_call_output" as const, call_id: call.call_id, output: WEATHER_RESULT };
    const continued = await client.responses.create({ model, tools: [weatherTool], previous_response_id: first.id, input: [output] });
    expect(continued.output_text).toMatch(finalToolAnswer(name));
    expectToolResultSent(g, name);

    // A client that keeps the conversation itself (store: false) sends it whole.
    const whole = await client.responses.create({
      model, tools: [weatherTool], store: false,
      input: [{ role: "user", content: WEATHER_QUESTION }, call, output],
    });
    expect(whole.output_text).toMatch(finalToolAnswer(name));
    expectToolResultSent(g, name);
  });

  it("text.format json_schema: responses.parse and a parsed stream", async () => {
    const format = zodTextFormat(City, "city");
    const res = await client.responses.parse({ model, input: "Name a large city", text: { format } });
    expect(City.safeParse(res.output_parsed).success).toBe(true);
    expect(JSON.stringify(g.lastBody(name))).toContain("landmarks");
    const streamed = await client.responses.stream({ model, input: "Name another city", text: { format } }).finalResponse();
    expect(City.safeParse(streamed.output_parsed).success).toBe(true);
  });
});

describe("openai SDK responses typed errors", () => {
  it("an unknown model is a NotFoundError, a wrong key an AuthenticationError", async () => {
    const missing = await client.responses.create({ model: "no-such-model", input: "hi" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const wrong = new OpenAI({ baseURL: g.baseURL, apiKey: "not-the-key", maxRetries: 0 });
    const denied = await wrong.responses.create({ model: "via-openai", input: "hi" }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("a bad body is a BadRequestError", async () => {
    const err = await client.responses
      .create({ model: "via-openai", input: [{ type: "function_call_output", output: "no call id" }] } as unknown as OpenAI.Responses.ResponseCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
