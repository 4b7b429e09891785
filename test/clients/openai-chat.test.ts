/**
 * The openai SDK (v6) on /v1/chat/completions and /v1/embeddings, against
 * the gateway in front of each upstream protocol: chat, stream, a tool round
 * trip, structured output through `chat.completions.parse`, embeddings, and
 * the SDK's typed errors.
 */
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { City, EMBEDDING_PROTOCOLS, KEY, PROTOCOLS, WEATHER_PARAMETERS, WEATHER_QUESTION, WEATHER_RESULT, WeatherArgs, expectToolResultSent, finalToolAnswer, startClientGateway, type ClientGateway } from "./client-gateway.js";

let g: ClientGateway;
let client: OpenAI;

beforeAll(async () => {
  g = await startClientGateway();
  client = new OpenAI({ baseURL: g.baseURL, apiKey: KEY, maxRetries: 0 });
});
afterAll(async () => {
  await g?.close();
});

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "Weather for a city", parameters: { ...WEATHER_PARAMETERS } },
};

describe.each(PROTOCOLS)("openai SDK chat completions on the $name protocol", ({ name, model }) => {
  it("create", async () => {
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: `hello openai sdk on ${name}` }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(`echo: hello openai sdk on ${name}`);
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-liaison-provider")).toBe(name);
  });

  it("stream, with usage", async () => {
    const stream = await client.chat.completions.create({
      model, stream: true, stream_options: { include_usage: true },
      messages: [{ role: "user", content: `stream openai sdk on ${name}` }],
    });
    let text = "";
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(`echo: stream openai sdk on ${name}`);
    expect(chunks).toBeGreaterThan(2);
    expect(usage!.prompt_tokens).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("a tool round trip: call, result, final answer (the call streamed)", async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: "user", content: WEATHER_QUESTION }];
    const first = await client.chat.completions.stream({ model, tools: [weatherTool], messages }).finalChatCompletion();
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const call = first.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error(`expected a function call, got ${call.type}`);
    expect(call.function.name).toBe("get_weather");
    expect(WeatherArgs.parse(JSON.parse(call.function.arguments))).toEqual({ city: "Paris" });

    messages.push(first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: WEATHER_RESULT });
    const final = await client.chat.completions.create({ model, tools: [weatherTool], messages });
    expect(final.choices[0]!.finish_reason).toBe("stop");
    expect(final.choices[0]!.message.content).toMatch(finalToolAnswer(name));
    expectToolResultSent(g, name);
  });

  it("structured output: chat.completions.parse with zodResponseFormat", async () => {
    const res = await client.chat.completions.parse({
      model, messages: [{ role: "user", content: "Name a large city" }],
      response_format: zodResponseFormat(City, "city"),
    });
    const parsed = res.choices[0]!.message.parsed;
    expect(City.safeParse(parsed).success).toBe(true);
    // The schema went upstream in the protocol's own form.
    expect(JSON.stringify(g.lastBody(name))).toContain("landmarks");
  });
});

describe.each(EMBEDDING_PROTOCOLS)("openai SDK embeddings on the $name protocol", ({ embedModel }) => {
  it("float and base64 (the SDK's default) agree", async () => {
    const res = await client.embeddings.create({ model: embedModel!, input: ["alpha", "beta"], encoding_format: "float" });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    const [a, b] = res.data.map((d) => d.embedding);
    expect(a!.length).toBeGreaterThan(0);
    expect(a).not.toEqual(b);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    const b64 = await client.embeddings.create({ model: embedModel!, input: "alpha" });
    expect(b64.data[0]!.embedding).toEqual(a!.map((v) => Math.fround(v)));
  });
});

describe("openai SDK typed errors", () => {
  it("an unknown model is a NotFoundError (404)", async () => {
    const err = await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("model_not_found");
    const embedErr = await client.embeddings.create({ model: "no-such-model", input: "alpha" }).catch((e: unknown) => e);
    expect(embedErr).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("a bad body is a BadRequestError (400) naming the field", async () => {
    const err = await client.chat.completions
      .create({ model: "via-openai", messages: [{ role: "wizard", content: "hi" }] } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((err as InstanceType<typeof OpenAI.APIError>).param).toBe("messages[0].role");
  });

  it("embeddings from a protocol without them are a BadRequestError", async () => {
    const err = await client.embeddings.create({ model: "via-anthropic", input: "alpha" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("unsupported_operation");
  });

  it("a wrong key is an AuthenticationError (401)", async () => {
    const wrong = new OpenAI({ baseURL: g.baseURL, apiKey: "not-the-key", maxRetries: 0 });
    const err = await wrong.chat.completions.create({ model: "via-openai", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    const embedErr = await wrong.embeddings.create({ model: "embed-openai", input: "alpha" }).catch((e: unknown) => e);
    expect(embedErr).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
