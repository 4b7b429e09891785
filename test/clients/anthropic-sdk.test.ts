/**
 * The Anthropic SDK on /v1/messages (base URL: the gateway's root), against
 * the gateway in front of each upstream protocol: create, stream, a tool
 * round trip, structured output (`messages.parse` and a parsed stream with
 * `output_config.format`), `countTokens`, and the SDK's typed errors.
 */
import Anthropic from "@anthropic-ai/sdk";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { City, KEY, PROTOCOLS, WEATHER_PARAMETERS, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, finalToolAnswer, startClientGateway, type ClientGateway } from "./client-gateway.js";

let g: ClientGateway;
let client: Anthropic;

beforeAll(async () => {
  g = await startClientGateway();
  client = new Anthropic({ baseURL: g.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await g?.close();
});

const weatherTool: Anthropic.Tool = { name: "get_weather", description: "Weather for a city", input_schema: { ...WEATHER_PARAMETERS } };
const textOf = (msg: Anthropic.Message) => msg.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");

describe.each(PROTOCOLS)("Anthropic SDK on the $name protocol", ({ name, model }) => {
  it("messages.create", async () => {
    const msg = await client.messages.create({ model, max_tokens: 100, system: "Be brief.", messages: [{ role: "user", content: `hello anthropic sdk on ${name}` }] });
    expect(msg.type).toBe("message");
    expect(textOf(msg)).toBe(`echo: hello anthropic sdk on ${name}`);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("messages.stream: text deltas, input tokens in message_start", async () => {
    const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: "user", content: `stream anthropic sdk on ${name}` }] });
    const deltas: string[] = [];
    let startInput = 0;
    stream.on("text", (delta) => deltas.push(delta));
    stream.on("streamEvent", (e) => { if (e.type === "message_start") startInput = e.message.usage.input_tokens; });
    const final = await stream.finalMessage();
    expect(deltas.join("")).toBe(`echo: stream anthropic sdk on ${name}`);
    expect(deltas.length).toBeGreaterThan(1);
    expect(textOf(final)).toBe(deltas.join(""));
    expect(startInput).toBeGreaterThan(0);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("a tool round trip: tool_use, tool_result, final answer (the call streamed)", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: WEATHER_QUESTION }];
    const first = await client.messages.stream({ model, max_tokens: 200, tools: [weatherTool], messages }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error(`no tool_use in ${JSON.stringify(first.content)}`);
    expect(use.name).toBe("get_weather");
    expect(WeatherArgs.parse(use.input)).toEqual({ city: "Paris" });

    messages.push({ role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: WEATHER_RESULT }] });
    const final = await client.messages.create({ model, max_tokens: 200, tools: [weatherTool], messages });
    expect(final.stop_reason).toBe("end_turn");
    expect(textOf(final)).toMatch(finalToolAnswer(name));
    expectToolResultSent(g, name);
  });

  it("structured output: messages.parse and a parsed stream with output_config.format", async () => {
    const format = zodOutputFormat(City);
    const msg = await client.messages.parse({ model, max_tokens: 300, messages: [{ role: "user", content: "Name a large city" }], output_config: { format } });
    expect(City.safeParse(msg.parsed_output).success).toBe(true);
    expect(JSON.stringify(g.lastBody(name))).toContain("landmarks");
    const streamed = await client.messages.stream({ model, max_tokens: 300, messages: [{ role: "user", content: "Name another" }], output_config: { format } }).finalMessage();
    expect(City.safeParse(streamed.parsed_output).success).toBe(true);
  });

  it("messages.countTokens", async () => {
    const { input_tokens } = await client.messages.countTokens({ model, system: "Be brief.", messages: [{ role: "user", content: "count these words please" }] });
    expect(input_tokens).toBeGreaterThan(0);
  });
});

describe("Anthropic SDK typed errors", () => {
  it("an unknown model is a NotFoundError (404, not_found_error)", async () => {
    const err = await client.messages.create({ model: "no-such-model", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(404);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const counting = await client.messages.countTokens({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(counting).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it("a wrong key is an AuthenticationError (401, authentication_error)", async () => {
    const wrong = new Anthropic({ baseURL: g.url, apiKey: "not-the-key", maxRetries: 0 });
    const err = await wrong.messages.create({ model: "via-anthropic", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(401);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const stream = await wrong.messages.stream({ model: "via-anthropic", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).finalMessage().catch((e: unknown) => e);
    expect(stream).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("a bad body is a BadRequestError (400, invalid_request_error)", async () => {
    const err = await client.messages
      .create({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ error: { type: "invalid_request_error" } });
  });
});
